//! SPEC §6 step 1 (decoding: percent-encoding, UTF-8, duplicates, limits),
//! the ignored and hinted parameters, empty values, the order of faults
//! across the whole check, and the API page's own example.

mod request_support;

use aliyun_sg_egress::error::QUOTE_MAX_BYTES;
use aliyun_sg_egress::error::{Hint, Hints};
use aliyun_sg_egress::request::{Destination, GroupDestination, ModifyEgressRequest};
use aliyun_sg_egress::request::{MAX_UNKNOWN_PARAMETERS, QUERY_MAX_BYTES, VALUE_MAX_BYTES};
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, NicType, Policy, PortRange, Priority};
use request_support::{accept, accept_pairs, encode_all, pairs, query, reject, reject_pairs};

// ------------------------------------------------------ percent-decoding

#[test]
fn names_and_values_are_percent_decoded_in_either_hex_case() {
    let plain = accept(query(&[]));
    for q in [
        "RegionId=cn%2Dhangzhou&SecurityGroupId=sg%2d1&IpProtocol=tcp&PortRange=80%2F80&DestCidrIp=10.0.0.0%2f8",
        "%52egionId=cn-hangzhou&Security%47roupId=sg-1&%49%70%50%72%6f%74%6F%63%6F%6C=tcp&PortRange=80/80&DestCidrIp=10.0.0.0/8",
        "RegionId=%63%6E%2D%68%61%6E%67%7A%68%6F%75&SecurityGroupId=sg-1&IpProtocol=%74%43%50&PortRange=80/80&DestCidrIp=10.0.0.0/8",
    ] {
        assert_eq!(accept(q), plain, "{q}");
    }
}

#[test]
fn plus_is_a_space_and_encoded_plus_is_a_plus() {
    let req = accept(query(&[("Description", Some("a+b++c"))]));
    assert_eq!(req.description(), Some("a b  c"));
    let req = accept(query(&[("Description", Some("a%2Bb"))]));
    assert_eq!(req.description(), Some("a+b"));
    let req = accept(query(&[("Description", Some("+"))]));
    assert_eq!(req.description(), Some(" "));
    // In a name too: `Region+Id` is not `RegionId`.
    reject(
        format!("Region+Id=x&{}", query(&[("RegionId", None)])),
        400,
        "MissingParameter",
        Some("RegionId"),
    );
}

#[test]
fn bad_percent_encoding_is_invalid_parameter_naming_the_parameter() {
    for bad in [
        "%", "%4", "%G1", "%4G", "%%", "abc%", "%%41", "a%2", "%-1", "%+1", "% 1",
    ] {
        for name in [
            "Description",
            "RegionId",
            "DestCidrIp",
            "Unknown",
            "SourceGroupId",
        ] {
            let e = reject(
                query(&[(name, Some(bad))]),
                400,
                "InvalidParameter",
                Some(name),
            );
            assert_eq!(
                e.to_string(),
                format!("The specified parameter \"{name}\" is not valid."),
                "{name}={bad}"
            );
        }
    }
}

#[test]
fn bad_percent_encoding_in_a_name_names_it_as_written() {
    reject(
        format!("{}&Reg%ZZion=1", query(&[])),
        400,
        "InvalidParameter",
        Some("Reg%ZZion"),
    );
    reject(
        format!("{}&Foo%=1", query(&[])),
        400,
        "InvalidParameter",
        Some("Foo%"),
    );
    // A name that decodes to invalid UTF-8.
    reject(
        format!("{}&Foo%FF=1", query(&[])),
        400,
        "InvalidParameter",
        Some("Foo%FF"),
    );
}

#[test]
fn invalid_utf8_is_invalid_parameter_naming_the_parameter() {
    for bad in [
        "%FF",
        "%C3",          // truncated sequence
        "abc%C3",       // truncated at the end
        "%C0%80",       // overlong NUL
        "%ED%A0%80",    // surrogate
        "%F4%90%80%80", // above U+10FFFF
        "%80",          // lone continuation byte
        "%E5%85",       // two bytes of three
    ] {
        for name in ["Description", "RegionId", "X-Unknown", "Action"] {
            reject(
                query(&[(name, Some(bad))]),
                400,
                "InvalidParameter",
                Some(name),
            );
        }
    }
}

#[test]
fn raw_invalid_utf8_bytes_are_invalid_parameter() {
    let mut q = query(&[]).into_bytes();
    q.extend_from_slice(b"&Description=ok\xFFok");
    reject(&q, 400, "InvalidParameter", Some("Description"));

    let mut q = query(&[]).into_bytes();
    q.extend_from_slice(b"&Description=\xE5\x85"); // cut in the middle of 允
    reject(&q, 400, "InvalidParameter", Some("Description"));

    // A name of raw bytes: named with U+FFFD in place of what is not UTF-8.
    let mut q = query(&[]).into_bytes();
    q.extend_from_slice(b"&X\xFFY=1");
    reject(&q, 400, "InvalidParameter", Some("X\u{FFFD}Y"));

    // Valid raw UTF-8 is text.
    let mut q = query(&[]).into_bytes();
    q.extend_from_slice("&Description=允许".as_bytes());
    assert_eq!(accept(&q).description(), Some("允许"));
}

// ------------------------------------------------------------ duplicates

#[test]
fn a_known_parameter_given_twice_is_refused() {
    for (name, first, second) in [
        ("RegionId", "cn-hangzhou", "cn-beijing"),
        ("RegionId", "cn-hangzhou", "cn-hangzhou"),
        ("IpProtocol", "tcp", "tcp"),
        ("DestCidrIp", "10.0.0.0/8", "0.0.0.0/0"),
        ("Description", "a", ""),
        ("Description", "", "a"),
        ("Policy", "accept", "drop"),
        (
            "Action",
            "ModifySecurityGroupEgressRule",
            "ModifySecurityGroupEgressRule",
        ),
        ("NicType", "intranet", "internet"),
        ("DestGroupId", "sg-2", "sg-3"),
    ] {
        let base = query(&[(name, None)]);
        let e = reject(
            format!("{name}={first}&{base}&{name}={second}"),
            400,
            "InvalidParameter",
            Some(name),
        );
        assert!(
            e.detail().to_string().contains("more than once"),
            "{}",
            e.detail()
        );
        assert_eq!(
            e.to_string(),
            format!("The specified parameter \"{name}\" is not valid.")
        );
    }
    // Bare names count.
    reject(
        format!("{}&Description&Description", query(&[])),
        400,
        "InvalidParameter",
        Some("Description"),
    );
    reject(
        format!("{}&Description=x&Description", query(&[])),
        400,
        "InvalidParameter",
        Some("Description"),
    );
}

#[test]
fn a_duplicate_hidden_by_encoding_is_refused() {
    for q in [
        format!("{}&%52egionId=cn-beijing", query(&[])),
        format!("{}&Region%49d=cn-hangzhou", query(&[])),
        format!("{}&%52%65%67%69%6F%6E%49%64=x", query(&[])),
        format!("{}&%52egionId=a&Region%49d=b", query(&[("RegionId", None)])),
    ] {
        let e = reject(&q, 400, "InvalidParameter", Some("RegionId"));
        assert!(
            e.detail().to_string().contains("more than once"),
            "{}",
            e.detail()
        );
    }
}

#[test]
fn unknown_and_ingress_parameters_given_twice_are_refused() {
    for (first, second, name) in [
        ("Foo=1", "Foo=2", "Foo"),
        ("Foo=1", "Foo=1", "Foo"),
        ("Foo", "Foo", "Foo"),
        ("Foo=1", "F%6Fo=2", "Foo"),
        ("F%6fo=1", "%46oo=2", "Foo"),
        ("a+b=1", "a%20b=2", "a b"),
        ("Signature=x", "Signature=y", "Signature"),
        ("SourceGroupId=sg-1", "SourceGroupId=sg-2", "SourceGroupId"),
        (
            "SourcePrefixListId=a",
            "Source%50refixListId=a",
            "SourcePrefixListId",
        ),
    ] {
        let e = reject(
            format!("{first}&{}&{second}", query(&[])),
            400,
            "InvalidParameter",
            Some(name),
        );
        assert!(
            e.detail().to_string().contains("more than once"),
            "{}",
            e.detail()
        );
    }
}

#[test]
fn names_differing_in_case_are_different_parameters() {
    // `regionid` is not `RegionId`: an unknown name, ignored.
    let req = accept(format!("{}&regionid=cn-beijing&REGIONID=x", query(&[])));
    assert_eq!(req.region_id(), "cn-hangzhou");
    let req = accept(format!("{}&Foo=1&foo=1&FOO=1", query(&[])));
    assert_eq!(req.hints(), Hints::NONE);
    // A trailing space makes another name.
    let req = accept(format!("{}&RegionId+=cn-beijing", query(&[])));
    assert_eq!(req.region_id(), "cn-hangzhou");
}

// ---------------------------------------------------------------- limits

/// A valid request padded with unknown parameters to exactly `len` bytes.
fn padded(len: usize) -> String {
    let mut q = query(&[]);
    let mut n = 0;
    while q.len() < len {
        let room = len - q.len();
        let head = format!("&P{n}=");
        if room <= head.len() {
            // Too little room for another pair: lengthen the last value.
            q.push_str(&"v".repeat(room));
        } else {
            let value = (room - head.len()).min(VALUE_MAX_BYTES);
            q.push_str(&head);
            q.push_str(&"v".repeat(value));
        }
        n += 1;
    }
    assert_eq!(q.len(), len);
    q
}

#[test]
fn a_query_of_64_kib_is_accepted_and_one_byte_more_is_refused() {
    assert_eq!(QUERY_MAX_BYTES, 65536);
    let at_limit = padded(QUERY_MAX_BYTES);
    assert_eq!(accept(&at_limit), accept(query(&[])));
    let over = padded(QUERY_MAX_BYTES + 1);
    let e = reject(&over, 400, "InvalidParameter", Some("QueryString"));
    assert_eq!(
        e.to_string(),
        "The specified parameter \"QueryString\" is not valid."
    );
}

#[test]
fn the_query_limit_comes_before_everything_else() {
    // Duplicates, bad encodings and missing parameters inside an over-long
    // query: the length is what is reported.
    let mut q = String::from("RegionId=a&RegionId=b&Bad=%ZZ&");
    q.push_str(&"x".repeat(QUERY_MAX_BYTES));
    reject(&q, 400, "InvalidParameter", Some("QueryString"));
    reject(
        vec![b'&'; QUERY_MAX_BYTES + 1],
        400,
        "InvalidParameter",
        Some("QueryString"),
    );
}

#[test]
fn a_decoded_value_of_4_kib_is_accepted_and_one_byte_more_is_refused() {
    assert_eq!(VALUE_MAX_BYTES, 4096);
    let max = "v".repeat(VALUE_MAX_BYTES);
    let over = "v".repeat(VALUE_MAX_BYTES + 1);
    // Plain and encoded: the limit is on the decoded value.
    accept(query(&[("Padding", Some(&max))]));
    accept(query(&[("Padding", Some(&encode_all(&max)))]));
    accept(query(&[("Padding", Some(&"+".repeat(VALUE_MAX_BYTES)))]));
    for value in [
        over.clone(),
        encode_all(&over),
        "+".repeat(VALUE_MAX_BYTES + 1),
    ] {
        for name in ["Padding", "Description", "RegionId", "DestCidrIp"] {
            let e = reject(
                query(&[(name, Some(&value))]),
                400,
                "InvalidParameter",
                Some(name),
            );
            assert_eq!(
                e.to_string(),
                format!("The specified parameter \"{name}\" is not valid.")
            );
        }
    }
}

#[test]
fn every_kept_text_at_its_longest_and_encoded_fits_the_parser() {
    // The texts a request keeps, each at its limit and each needing
    // decoding: all of them are decoded into the parser's buffer together.
    let id = "é".repeat(64);
    let token = "~".repeat(64);
    let description = "😀".repeat(512);
    let ids = [
        ("RegionId", Some(id.as_str())),
        ("SecurityGroupId", Some(id.as_str())),
        ("DestGroupId", Some(id.as_str())),
        ("DestGroupOwnerAccount", Some(id.as_str())),
    ];
    let encoded: Vec<(&str, String)> = ids
        .iter()
        .map(|&(n, v)| (n, encode_all(v.unwrap())))
        .chain([
            ("ClientToken", encode_all(&token)),
            ("Description", encode_all(&description)),
        ])
        .collect();
    let mut changes: Vec<(&str, Option<&str>)> = encoded
        .iter()
        .map(|(n, v)| (*n, Some(v.as_str())))
        .collect();
    changes.push(("DestCidrIp", None));
    let req = accept(query(&changes));
    assert_eq!(
        (req.region_id(), req.security_group_id()),
        (id.as_str(), id.as_str())
    );
    assert_eq!(req.client_token(), Some(token.as_str()));
    assert_eq!(req.description(), Some(description.as_str()));
    assert_eq!(
        req.destination(),
        &Destination::Group(GroupDestination {
            id: &id,
            owner_account: Some(&id),
            owner_id: None,
        })
    );
    // A value of 4 KiB, decoded while checking, beside them all.
    let long = encode_all(&"1".repeat(VALUE_MAX_BYTES));
    changes.push(("Ipv6SourceCidrIp", Some(&long)));
    reject(
        query(&changes),
        400,
        "InvalidParam.Ipv6SourceCidrIp",
        Some("Ipv6SourceCidrIp"),
    );
}

#[test]
fn the_value_limit_comes_before_the_description_limit() {
    // 1024 four-byte characters: 4096 bytes, step 1 lets it through and
    // the Description rule refuses it.
    let at_limit = "😀".repeat(1024);
    reject(
        query(&[("Description", Some(&encode_all(&at_limit)))]),
        400,
        "InvalidSecurityGroupDiscription.Malformed",
        Some("Description"),
    );
    // One more: over 4 KiB, a decoding error.
    let over = "😀".repeat(1025);
    reject(
        query(&[("Description", Some(&encode_all(&over)))]),
        400,
        "InvalidParameter",
        Some("Description"),
    );
    reject_pairs(
        &pairs(&[("Description", Some(&over))]),
        400,
        "InvalidParameter",
        Some("Description"),
    );
    reject_pairs(
        &pairs(&[("Description", Some(&at_limit))]),
        400,
        "InvalidSecurityGroupDiscription.Malformed",
        Some("Description"),
    );
}

#[test]
fn a_name_over_4_kib_is_refused_and_named_cut() {
    let name = "N".repeat(VALUE_MAX_BYTES + 1);
    let expected = format!("{}…", "N".repeat(QUOTE_MAX_BYTES - "…".len()));
    reject(
        format!("{}&{name}=1", query(&[])),
        400,
        "InvalidParameter",
        Some(&expected),
    );
    let e = reject_pairs(
        &[("RegionId", "cn-hangzhou"), (&name, "1")],
        400,
        "InvalidParameter",
        Some(&expected),
    );
    assert!(e.parameter().unwrap().len() <= 64);
    // Names up to 4 KiB are merely unknown.
    accept(format!("{}&{}=1", query(&[]), "N".repeat(VALUE_MAX_BYTES)));
}

#[test]
fn at_most_128_unknown_parameters() {
    assert_eq!(MAX_UNKNOWN_PARAMETERS, 128);
    let with = |n: usize| {
        let mut q = query(&[]);
        for i in 0..n {
            q.push_str(&format!("&U{i}=1"));
        }
        q
    };
    accept(with(MAX_UNKNOWN_PARAMETERS));
    reject(
        with(MAX_UNKNOWN_PARAMETERS + 1),
        400,
        "InvalidParameter",
        Some("QueryString"),
    );
}

// ------------------------------------------------- what the query holds

#[test]
fn unknown_parameters_are_ignored() {
    let req = accept(format!(
        "{}&Format=JSON&Version=2014-05-26&AccessKeyId=x&SignatureMethod=HMAC-SHA1\
         &Timestamp=2024-01-01T00%3A00%3A00Z&SignatureVersion=1.0&SignatureNonce=n\
         &Signature=s%3D&Whatever=%E2%9C%93&Empty=&Bare",
        query(&[])
    ));
    assert_eq!(req, accept(query(&[])));
    assert_eq!(req.hints(), Hints::NONE);
}

#[test]
fn ingress_only_parameters_are_ignored_with_a_hint() {
    for (name, hint) in [
        ("SourceGroupId", Hint::SourceGroupId),
        ("SourceGroupOwnerAccount", Hint::SourceGroupOwnerAccount),
        ("SourceGroupOwnerId", Hint::SourceGroupOwnerId),
        ("SourcePrefixListId", Hint::SourcePrefixListId),
    ] {
        let req = accept(query(&[(name, Some("x"))]));
        assert_eq!(req.hints(), Hints::NONE.with(hint), "{name}");
        assert_eq!(req.destination(), accept(query(&[])).destination());
        // Encoded names are the same names.
        let req = accept(query(&[(&*encode_all(name), Some("x"))]));
        assert_eq!(req.hints(), Hints::NONE.with(hint), "{name}");
        // from_pairs too.
        let req = accept_pairs(&pairs(&[(name, Some("x"))]));
        assert_eq!(req.hints(), Hints::NONE.with(hint), "{name}");
    }
    let req = accept(query(&[
        ("SourceGroupId", Some("sg-2")),
        ("SourceGroupOwnerAccount", Some("a")),
        ("SourceGroupOwnerId", Some("1")),
        ("SourcePrefixListId", Some("pl-1")),
    ]));
    let all: Vec<Hint> = req.hints().iter().collect();
    assert_eq!(
        all,
        [
            Hint::SourceGroupId,
            Hint::SourceGroupOwnerAccount,
            Hint::SourceGroupOwnerId,
            Hint::SourcePrefixListId
        ]
    );
    // Other case: just unknown, no hint.
    assert_eq!(
        accept(query(&[("sourcegroupid", Some("x"))])).hints(),
        Hints::NONE
    );
}

#[test]
fn hints_ride_along_with_errors_and_never_change_the_code() {
    let e = reject(
        query(&[("SourceGroupId", Some("sg-2")), ("Priority", Some("0"))]),
        400,
        "InvalidPriority.ValueNotSupported",
        Some("Priority"),
    );
    assert_eq!(e.hints(), Hints::NONE.with(Hint::SourceGroupId));
    // Without any destination, the ingress name is no destination.
    let e = reject(
        query(&[("DestCidrIp", None), ("SourceGroupId", Some("sg-2"))]),
        400,
        "MissingParameter.Dest",
        Some("DestCidrIp"),
    );
    assert!(e.hints().contains(Hint::SourceGroupId));
}

#[test]
fn empty_optional_values_count_as_absent() {
    // Terraform sends the fields it does not use as empty strings.
    let plain = accept(query(&[]));
    let terraform = accept(query(&[
        ("Action", Some("")),
        ("SourcePortRange", Some("")),
        ("Policy", Some("")),
        ("Priority", Some("")),
        ("ClientToken", Some("")),
        ("Ipv6DestCidrIp", Some("")),
        ("SourceCidrIp", Some("")),
        ("Ipv6SourceCidrIp", Some("")),
        ("DestGroupId", Some("")),
        ("DestGroupOwnerAccount", Some("")),
        ("DestGroupOwnerId", Some("")),
    ]));
    assert_eq!(terraform, plain);
    assert_eq!(terraform.source_port_range(), None);
    assert_eq!(terraform.policy(), Policy::Accept);
    assert_eq!(terraform.priority(), None);
    assert_eq!(terraform.client_token(), None);
    assert_eq!(terraform.source(), None);
    assert_eq!(terraform.description(), None);
    // Bare names are the same as `name=`.
    let bare = accept(format!(
        "{}&Action&SourcePortRange&Policy&Priority&ClientToken&Ipv6DestCidrIp\
         &SourceCidrIp&Ipv6SourceCidrIp&DestGroupId&DestGroupOwnerAccount&DestGroupOwnerId",
        query(&[])
    ));
    assert_eq!(bare, plain);
    // Description is the exception: empty clears.
    let cleared = accept(query(&[("Description", Some(""))]));
    assert_eq!(cleared.description(), Some(""));
    // ...and NicType: empty is an error.
    reject(
        query(&[("NicType", Some(""))]),
        400,
        "InvalidNicType.ValueNotSupported",
        Some("NicType"),
    );
}

#[test]
fn url_prefix_line_breaks_and_empty_pairs_are_tolerated() {
    let plain = accept(query(&[]));
    for q in [
        format!("?{}", query(&[])),
        format!("https://ecs.aliyuncs.com/?{}", query(&[])),
        format!("http://ecs.aliyuncs.com/?{}", query(&[])),
        format!("&&{}&&", query(&[])),
        query(&[]).replace('&', "\n&"),
        query(&[]).replace('&', "\r\n&"),
        format!("{}\n", query(&[])),
        format!("{}&<公共请求参数>", query(&[])),
        format!("{}\n&<公共请求参数>\n", query(&[]).replace('&', "\n&")),
    ] {
        assert_eq!(accept(&q), plain, "{q:?}");
    }
}

// ------------------------------------------------------- order of faults

/// A request with a fault in every parameter; each step names the fault
/// expected first, then fixes it (or removes the parameter): the faults
/// come out in SPEC §6 order, step 1 before step 2, the table's order
/// within step 2, then the addresses, then the group fields.
#[test]
fn faults_are_reported_in_spec_order() {
    let long = "x".repeat(129);
    let long_description = "字".repeat(513);
    let mut params: Vec<(&str, Option<String>)> = vec![
        ("Bad", Some("%zz".to_owned())),
        ("Dup", Some("1".to_owned())),
        ("Action", Some("ModifySecurityGroupRule".to_owned())),
        ("RegionId", Some(String::new())),
        ("SecurityGroupId", None),
        ("IpProtocol", Some("sctp".to_owned())),
        ("PortRange", Some("80-80".to_owned())),
        ("SourcePortRange", Some("-1/-1".to_owned())),
        ("NicType", Some(String::new())),
        ("Policy", Some("allow".to_owned())),
        ("Priority", Some("0".to_owned())),
        ("Description", Some(encode_all(&long_description))),
        ("ClientToken", Some("a+b".to_owned())),
        ("DestCidrIp", Some("1.2.3".to_owned())),
        ("Ipv6DestCidrIp", Some("::1".to_owned())),
        ("SourceCidrIp", Some("x".to_owned())),
        ("Ipv6SourceCidrIp", Some("y".to_owned())),
        ("DestGroupId", Some(long.clone())),
        ("DestGroupOwnerAccount", Some(long.clone())),
        ("DestGroupOwnerId", Some("x".to_owned())),
        ("Dup", Some("2".to_owned())),
    ];
    let build = |params: &[(&str, Option<String>)]| -> String {
        params
            .iter()
            .filter_map(|(n, v)| v.as_ref().map(|v| format!("{n}={v}")))
            .collect::<Vec<_>>()
            .join("&")
    };
    #[allow(clippy::type_complexity)]
    let ladder: Vec<(u16, &str, &str, &str, Option<&str>)> = vec![
        // (status, code, parameter at fault; then the fix for it)
        (400, "InvalidParameter", "Bad", "Bad", None),
        (400, "InvalidParameter", "Dup", "Dup", None),
        (
            404,
            "InvalidAction.NotFound",
            "Action",
            "Action",
            Some("ModifySecurityGroupEgressRule"),
        ),
        (
            400,
            "MissingParameter",
            "RegionId",
            "RegionId",
            Some("cn-hangzhou"),
        ),
        (
            400,
            "MissingParameter",
            "SecurityGroupId",
            "SecurityGroupId",
            Some("sg-1"),
        ),
        (
            400,
            "InvalidIpProtocol.ValueNotSupported",
            "IpProtocol",
            "IpProtocol",
            Some("tcp"),
        ),
        (
            400,
            "InvalidParam.PortRange",
            "PortRange",
            "PortRange",
            Some("80/80"),
        ),
        (
            400,
            "OperationDenied",
            "SourcePortRange",
            "SourcePortRange",
            Some("1024/65535"),
        ),
        (
            400,
            "InvalidNicType.ValueNotSupported",
            "NicType",
            "NicType",
            Some("intranet"),
        ),
        (
            400,
            "InvalidPolicy.Malformed",
            "Policy",
            "Policy",
            Some("drop"),
        ),
        (
            400,
            "InvalidPriority.ValueNotSupported",
            "Priority",
            "Priority",
            Some("5"),
        ),
        (
            400,
            "InvalidSecurityGroupDiscription.Malformed",
            "Description",
            "Description",
            Some("egress"),
        ),
        (
            400,
            "InvalidParameter",
            "ClientToken",
            "ClientToken",
            Some("tok"),
        ),
        (
            400,
            "InvalidParam.DestIp",
            "DestCidrIp",
            "Ipv6DestCidrIp",
            None,
        ),
        (
            400,
            "InvalidParam.SourceIp",
            "SourceCidrIp",
            "Ipv6SourceCidrIp",
            None,
        ),
        (
            400,
            "InvalidDestCidrIp.Malformed",
            "DestCidrIp",
            "DestCidrIp",
            Some("10.0.0.0/8"),
        ),
        (
            400,
            "InvalidParam.SourceIp",
            "SourceCidrIp",
            "SourceCidrIp",
            Some("192.168.0.1"),
        ),
        (
            400,
            "InvalidParameter",
            "DestGroupId",
            "DestGroupId",
            Some("sg-2"),
        ),
        (
            400,
            "InvalidParameter",
            "DestGroupOwnerAccount",
            "DestGroupOwnerAccount",
            Some("me"),
        ),
        (
            400,
            "InvalidParameter",
            "DestGroupOwnerId",
            "DestGroupOwnerId",
            Some("42"),
        ),
    ];
    for (status, code, parameter, fix, value) in ladder {
        let q = build(&params);
        reject(&q, status, code, Some(parameter));
        let mut fixed = false;
        for (n, v) in params.iter_mut() {
            if *n == fix {
                if fixed {
                    *v = None; // a duplicate: keep the first only
                } else {
                    *v = value.map(str::to_owned);
                    fixed = true;
                }
            }
        }
        assert!(fixed, "{fix}");
    }
    let req = accept(build(&params));
    assert_eq!(req.protocol(), IpProtocol::Tcp);
    assert_eq!(req.port_range(), PortRange::new_assert(80, 80));
    assert_eq!(
        req.source_port_range(),
        Some(PortRange::new_assert(1024, 65535))
    );
    assert_eq!(req.nic_type(), Some(NicType::Intranet));
    assert_eq!(req.policy(), Policy::Drop);
    assert_eq!(req.priority(), Some(Priority::new_assert(5)));
    assert_eq!(req.description(), Some("egress"));
    assert_eq!(req.client_token(), Some("tok"));
    // The CIDR wins; the (valid) group beside it is ignored.
    assert_eq!(
        req.destination(),
        &Destination::Ipv4(Ipv4Cidr::parse("10.0.0.0/8").unwrap())
    );
}

#[test]
fn step_one_beats_step_two_wherever_it_is_in_the_query() {
    // Every step 2 parameter is wrong, and the only decoding fault is last.
    let q = "Action=Nope&IpProtocol=x&PortRange=x&Policy=allow&RegionId=&X=1&X=2";
    reject(q, 400, "InvalidParameter", Some("X"));
    let q = "Action=Nope&IpProtocol=x&Description=%E5";
    reject(q, 400, "InvalidParameter", Some("Description"));
    // Within step 1, the first fault in the query wins.
    reject("A=%zz&B=1&B=2", 400, "InvalidParameter", Some("A"));
    // A pair with an empty name is reported as a fault of the query string.
    reject("=1&=2", 400, "InvalidParameter", Some("QueryString"));
    reject("=%", 400, "InvalidParameter", Some("QueryString"));
    reject("%=1", 400, "InvalidParameter", Some("%"));
    reject("B=1&B=2&A=%zz", 400, "InvalidParameter", Some("B"));
}

#[test]
fn several_faults_in_step_two_report_the_first_in_table_order() {
    // Query order does not matter, only the table's.
    reject(
        "Priority=abc&Policy=x&NicType=&PortRange=1&IpProtocol=tcp&SecurityGroupId=sg-1&RegionId=r",
        400,
        "InvalidParam.PortRange",
        Some("PortRange"),
    );
    reject(
        "ClientToken=a%20b&Description=ok&Priority=abc&Policy=x&IpProtocol=tcp&PortRange=1/2\
         &SecurityGroupId=sg-1&RegionId=r",
        400,
        "InvalidPolicy.Malformed",
        Some("Policy"),
    );
    reject(
        "DestCidrIp=bad&ClientToken=a%20b&IpProtocol=icmp&PortRange=-1/-1&SecurityGroupId=sg-1&RegionId=r",
        400,
        "InvalidParameter",
        Some("ClientToken"),
    );
    reject(
        "IpProtocol=udp&PortRange=0/0&RegionId=r",
        400,
        "MissingParameter",
        Some("SecurityGroupId"),
    );
    reject(
        "SecurityGroupId=sg-1&Action=Other",
        404,
        "InvalidAction.NotFound",
        Some("Action"),
    );
    reject("", 400, "MissingParameter", Some("RegionId"));
    reject(
        "RegionId=r&SecurityGroupId=s",
        400,
        "InvalidIpProtocol.ValueNotSupported",
        Some("IpProtocol"),
    );
    reject(
        "RegionId=r&SecurityGroupId=s&IpProtocol=tcp&PortRange=1/2",
        400,
        "MissingParameter.Dest",
        Some("DestCidrIp"),
    );
}

// --------------------------------------------------- the page's example

/// The request example of the API page, as printed (line breaks included),
/// with `RegionId=cn-hangzhou` added: the page leaves out a required
/// parameter.
const PAGE_EXAMPLE: &str = "https://ecs.aliyuncs.com/?Action=ModifySecurityGroupEgressRule
&RegionId=cn-hangzhou
&SecurityGroupId=sg-F876FF7BA
&SourceGroupId=sg-1651FBB64
&SourceGroupOwnerAccount=test@aliyun.com
&IpProtocol=tcp
&PortRange=80/80
&Policy=allow
&Description=Thisisanewsecuritygrouprule.
&<公共请求参数>
";

#[test]
fn the_page_example_as_printed_fails_where_the_api_fails() {
    let e = reject(PAGE_EXAMPLE, 400, "InvalidPolicy.Malformed", Some("Policy"));
    assert_eq!(
        e.to_string(),
        "The specified parameter \"Policy\" is not valid."
    );
    assert!(e.hints().contains(Hint::PolicyAllow));
    assert!(e.hints().contains(Hint::SourceGroupId));
    assert_eq!(
        e.hints(),
        Hints::NONE
            .with(Hint::PolicyAllow)
            .with(Hint::SourceGroupId)
            .with(Hint::SourceGroupOwnerAccount)
    );
    let hints = e.hints().to_string();
    assert!(hints.contains("did you mean accept?"), "{hints}");
    assert!(hints.contains("did you mean DestGroupId?"), "{hints}");

    // Exactly as printed, without RegionId: the missing parameter first.
    let printed = PAGE_EXAMPLE.replace("&RegionId=cn-hangzhou\n", "");
    reject(printed, 400, "MissingParameter", Some("RegionId"));
}

#[test]
fn the_page_example_corrected_is_typed() {
    // Policy=accept and DestGroupId for SourceGroupId; the ingress owner
    // account is still there, ignored with its hint.
    let corrected = PAGE_EXAMPLE
        .replace("Policy=allow", "Policy=accept")
        .replace("SourceGroupId=", "DestGroupId=");
    let req = accept(&corrected);
    assert_eq!(req.region_id(), "cn-hangzhou");
    assert_eq!(req.security_group_id(), "sg-F876FF7BA");
    assert_eq!(req.protocol(), IpProtocol::Tcp);
    assert_eq!(req.port_range(), PortRange::new_assert(80, 80));
    assert_eq!(req.source_port_range(), None);
    assert_eq!(req.nic_type(), None);
    assert_eq!(req.policy(), Policy::Accept);
    assert_eq!(req.priority(), None);
    assert_eq!(req.description(), Some("Thisisanewsecuritygrouprule."));
    assert_eq!(req.client_token(), None);
    assert_eq!(
        req.destination(),
        &Destination::Group(GroupDestination {
            id: "sg-1651FBB64",
            owner_account: None,
            owner_id: None,
        })
    );
    assert_eq!(req.source(), None);
    assert_eq!(req.hints(), Hints::NONE.with(Hint::SourceGroupOwnerAccount));

    // Fully corrected: the owner account is the destination's.
    let full = corrected.replace("SourceGroupOwnerAccount=", "DestGroupOwnerAccount=");
    let req = accept(&full);
    assert_eq!(
        req.destination(),
        &Destination::Group(GroupDestination {
            id: "sg-1651FBB64",
            owner_account: Some("test@aliyun.com"),
            owner_id: None,
        })
    );
    assert_eq!(req.hints(), Hints::NONE);

    // The same through from_pairs.
    let from_pairs = ModifyEgressRequest::from_pairs([
        ("Action", "ModifySecurityGroupEgressRule"),
        ("RegionId", "cn-hangzhou"),
        ("SecurityGroupId", "sg-F876FF7BA"),
        ("DestGroupId", "sg-1651FBB64"),
        ("DestGroupOwnerAccount", "test@aliyun.com"),
        ("IpProtocol", "tcp"),
        ("PortRange", "80/80"),
        ("Policy", "accept"),
        ("Description", "Thisisanewsecuritygrouprule."),
    ])
    .unwrap();
    assert_eq!(from_pairs, req);
}

// ------------------------------------------------------------ from_pairs

#[test]
fn from_pairs_applies_the_decoding_step_checks_except_decoding() {
    // Duplicates.
    reject_pairs(
        &[("RegionId", "cn-hangzhou"), ("RegionId", "cn-hangzhou")],
        400,
        "InvalidParameter",
        Some("RegionId"),
    );
    let mut dup = pairs(&[]);
    dup.push(("Foo", "1"));
    dup.push(("Foo", "2"));
    reject_pairs(&dup, 400, "InvalidParameter", Some("Foo"));
    // A value over 4 KiB.
    let over = "v".repeat(VALUE_MAX_BYTES + 1);
    reject_pairs(
        &pairs(&[("Padding", Some(&over))]),
        400,
        "InvalidParameter",
        Some("Padding"),
    );
    // Percent-escapes are literal: `%52egionId` is an unknown name, not a
    // duplicate.
    let mut literal = pairs(&[]);
    literal.push(("%52egionId", "x"));
    assert_eq!(accept_pairs(&literal), accept(query(&[])));
    // `%zz` is fine text for an unknown parameter.
    let mut odd = pairs(&[]);
    odd.push(("Foo", "%zz"));
    assert_eq!(accept_pairs(&odd), accept(query(&[])));
    // Empty values mean the same as in a query.
    reject_pairs(
        &pairs(&[("RegionId", Some(""))]),
        400,
        "MissingParameter",
        Some("RegionId"),
    );
    assert_eq!(
        accept_pairs(&pairs(&[("Policy", Some("")), ("Priority", Some(""))])),
        accept(query(&[]))
    );
}
