//! The error catalogue against the API page's own error table.
//!
//! `tests/data/page_error_table.md` holds the table exactly as the page
//! prints it (markdown escapes included). Every one of its 36 rows must be
//! a `CauseGroup::Page` cause with the same status, code and message, and every
//! page cause must be one of its rows (SPEC §7). The gateway-wide codes live
//! apart, in `CauseGroup::Common`, with SPEC §2's messages.

use std::collections::BTreeSet;

use aliyun_sg_egress::error::{ApiError, Cause, CauseGroup};
use aliyun_sg_egress::request::Param;

const PAGE_TABLE: &str = include_str!("data/page_error_table.md");

/// One data row of the page's table, unescaped.
#[derive(Debug)]
struct Row {
    line: usize,
    status: u16,
    code: String,
    message: String,
}

/// Removes markdown backslash escapes: `\x` becomes `x`.
fn unescape(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(escaped) => out.push(escaped),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits `|a|b|c|` into its cells, honouring `\|` (none on the page, but a
/// pipe in a message must not split it).
fn cells(line: &str) -> Vec<String> {
    let inner = line
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .unwrap_or_else(|| panic!("not a table row: {line:?}"));
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cell.push(c);
                if let Some(next) = chars.next() {
                    cell.push(next);
                }
            }
            '|' => out.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    out.push(cell);
    out
}

fn page_rows() -> Vec<Row> {
    let mut lines = PAGE_TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty());
    let (_, header) = lines.next().expect("the table has a header");
    assert_eq!(header, "|HttpCode|错误码|错误信息|描述|");
    let (_, separator) = lines.next().expect("the table has a separator");
    assert!(
        cells(separator)
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-')),
        "{separator:?}"
    );
    lines
        .map(|(i, line)| {
            let cells = cells(line);
            assert_eq!(cells.len(), 4, "line {}: {line:?}", i + 1);
            Row {
                line: i + 1,
                status: cells[0]
                    .parse()
                    .unwrap_or_else(|_| panic!("line {}: status {:?}", i + 1, cells[0])),
                code: unescape(&cells[1]),
                message: unescape(&cells[2]),
            }
        })
        .collect()
}

fn page_causes() -> Vec<Cause> {
    Cause::ALL
        .iter()
        .copied()
        .filter(|c| c.group() == CauseGroup::Page)
        .collect()
}

#[test]
fn unescape_removes_markdown_escapes_only() {
    assert_eq!(unescape(r"ILLEGAL\_IPV6\_CIDR"), "ILLEGAL_IPV6_CIDR");
    assert_eq!(
        unescape(r"type \(vpc or classic\)."),
        "type (vpc or classic)."
    );
    assert_eq!(unescape(r#""DestCidrIp" %s"#), r#""DestCidrIp" %s"#);
    assert_eq!(cells(r"|a\|b|c|"), vec![r"a\|b", "c"]);
}

#[test]
fn the_page_table_has_36_rows() {
    let rows = page_rows();
    assert_eq!(rows.len(), 36);
    // Spot checks that the file is the page's table, escapes and all.
    assert!(PAGE_TABLE.contains(r"|400|ILLEGAL\_IPV6\_CIDR|%s|"));
    assert!(PAGE_TABLE.contains(r"network type \(vpc or classic\)."));
    assert_eq!(rows[0].code, "InvalidSecurityGroupId.NotFound");
    assert_eq!(rows[35].code, "ILLEGAL_IPV6_CIDR");
}

#[test]
fn every_page_row_is_exactly_one_page_cause() {
    for row in page_rows() {
        let found: Vec<Cause> = page_causes()
            .into_iter()
            .filter(|c| {
                (c.status(), c.code(), c.message())
                    == (row.status, row.code.as_str(), row.message.as_str())
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "line {}: {} {} {:?} matches {found:?}",
            row.line,
            row.status,
            row.code,
            row.message
        );
    }
}

#[test]
fn every_page_cause_is_a_row_of_the_page() {
    let rows = page_rows();
    let mut matched = BTreeSet::new();
    for cause in page_causes() {
        let hits: Vec<usize> = rows
            .iter()
            .filter(|r| {
                (r.status, r.code.as_str(), r.message.as_str())
                    == (cause.status(), cause.code(), cause.message())
            })
            .map(|r| r.line)
            .collect();
        assert_eq!(hits.len(), 1, "{cause:?} is on lines {hits:?}");
        assert!(matched.insert(hits[0]), "{cause:?} shares line {}", hits[0]);
    }
    // A bijection: as many causes as rows, each row used once.
    assert_eq!(page_causes().len(), rows.len());
    assert_eq!(matched.len(), rows.len());
}

#[test]
fn rows_with_two_statuses_or_messages_are_separate_causes() {
    let by_code = |code: &str| -> Vec<(u16, &'static str)> {
        page_causes()
            .into_iter()
            .filter(|c| c.code() == code)
            .map(|c| (c.status(), c.message()))
            .collect()
    };
    assert_eq!(
        by_code("InvalidDestGroupId.Mismatch"),
        vec![
            (403, "NicType is required or NicType expects intranet."),
            (
                400,
                "Specified security group and destination group are not in the same VPC."
            ),
        ]
    );
    assert_eq!(
        by_code("InvalidNicType.ValueNotSupported"),
        vec![
            (400, "The specified NicType does not exist."),
            (400, "The specified NicType is not valid."),
        ]
    );
    assert_eq!(
        by_code("InvalidPriority.ValueNotSupported"),
        vec![
            (400, "The specified Priority is invalid."),
            (400, "The parameter Priority is invalid."),
        ]
    );
    assert_eq!(
        by_code("InvalidDestCidrIp.Malformed"),
        vec![
            (400, "The specified parameter \"DestCidrIp\" is not valid."),
            (400, "The specified parameter DestCidrIp is not valid."),
        ]
    );
    // The 403 "both blank" row keeps its page status beside the common 400.
    assert_eq!(
        by_code("MissingParameter"),
        vec![(
            403,
            "The input parameter \"DestGroupId\" or \"DestCidrIp\" cannot be both blank."
        )]
    );
}

#[test]
fn the_common_codes_are_their_own_group_with_spec_messages() {
    let common: Vec<(u16, &str, &str)> = Cause::ALL
        .iter()
        .filter(|c| c.group() == CauseGroup::Common)
        .map(|c| (c.status(), c.code(), c.message()))
        .collect();
    assert_eq!(
        common,
        vec![
            (
                400,
                "MissingParameter",
                "The input parameter \"<name>\" that is mandatory for processing this request is not supplied."
            ),
            (
                400,
                "InvalidParameter",
                "The specified parameter \"<name>\" is not valid."
            ),
            (
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method."
            ),
        ]
    );
    assert_eq!(Cause::MissingParameter.group(), CauseGroup::Common);
    assert_eq!(Cause::InvalidParameter.group(), CauseGroup::Common);
    assert_eq!(Cause::InvalidActionNotFound.group(), CauseGroup::Common);
    // None of them is a page row.
    for row in page_rows() {
        for &(status, code, message) in &common {
            assert!(
                (row.status, row.code.as_str(), row.message.as_str()) != (status, code, message)
            );
        }
    }
}

#[test]
fn common_messages_are_filled_with_the_parameter() {
    let missing = ApiError::new(Cause::MissingParameter).with_parameter(Param::SecurityGroupId);
    assert_eq!(
        missing.to_string(),
        "The input parameter \"SecurityGroupId\" that is mandatory for processing this request is not supplied."
    );
    let invalid = ApiError::new(Cause::InvalidParameter).with_parameter_name("QueryString");
    assert_eq!(
        invalid.to_string(),
        "The specified parameter \"QueryString\" is not valid."
    );
    let action = ApiError::new(Cause::InvalidActionNotFound).with_parameter(Param::Action);
    assert_eq!(
        (action.status(), action.code(), action.to_string().as_str()),
        (
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method."
        )
    );
}

#[test]
fn catalogue_order_is_the_page_order_then_the_common_codes() {
    let rows = page_rows();
    let listed: Vec<(u16, &str, &str)> = Cause::ALL
        .iter()
        .map(|c| (c.status(), c.code(), c.message()))
        .collect();
    let expected: Vec<(u16, &str, &str)> = rows
        .iter()
        .map(|r| (r.status, r.code.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(&listed[..36], &expected[..]);
    // Then the common codes, then the lifecycle's and the gateway's
    // (tests/request_lifecycle.rs walks those rows).
    let groups: Vec<CauseGroup> = Cause::ALL[36..].iter().map(|c| c.group()).collect();
    let order = [
        (CauseGroup::Common, 3),
        (CauseGroup::Lifecycle, 16),
        (CauseGroup::Gateway, 6),
    ];
    let expected: Vec<CauseGroup> = order
        .iter()
        .flat_map(|&(g, n)| std::iter::repeat_n(g, n))
        .collect();
    assert_eq!(groups, expected);
    assert_eq!(Cause::ALL.len(), 39 + 16 + 6);
}
