//! Checks shared by the fuzz targets.

use std::fmt::Debug;

use aliyun_sg_egress::error::ApiError;
use aliyun_sg_egress::model::{EgressRule, GroupInfo, RuleDestination};
use aliyun_sg_egress::request::{ModifyEgressRequest, RequestParser, Source};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::{BoundedStore, GroupHandle, GroupStore, VecStore, rule_indexes};
use aliyun_sg_egress::{Format, RequestId, Response};
use aliyun_sg_egress::{IpProtocol, Ipv4Cidr, Ipv6Cidr, NicType, Policy, PortRange, Priority};

/// Every field of a request but its hints (which come from parameters the
/// request does not keep, so a written-out request cannot carry them).
pub fn fields<'a>(r: &ModifyEgressRequest<'a>) -> impl PartialEq + Debug + use<'a> {
    (
        r.region_id(),
        r.security_group_id(),
        r.protocol(),
        r.port_range(),
        r.source_port_range(),
        r.nic_type(),
        r.policy(),
        r.priority(),
        r.description(),
        r.client_token(),
        *r.destination(),
        r.source(),
    )
}

/// Writes the request out and reads it back: the same fields, and the same
/// text when written again.
pub fn assert_round_trip(req: &ModifyEgressRequest) {
    let mut written = String::new();
    req.write_query(&mut written).expect("writing to a String");
    let mut parser = RequestParser::new();
    let again = parser
        .parse(&written)
        .unwrap_or_else(|e| panic!("{written:?} does not read back: {e} ({})", e.code()));
    assert_eq!(fields(&again), fields(req), "{written:?}");
    let mut rewritten = String::new();
    again
        .write_query(&mut rewritten)
        .expect("writing to a String");
    assert_eq!(rewritten, written);
}

/// An error is one the API can give, and its bodies are well formed in
/// both formats whatever text it carries.
pub fn assert_error_well_formed(err: &ApiError) {
    assert!((400..600).contains(&err.status()), "{err:?}");
    assert!(
        !err.code().is_empty() && err.code().bytes().all(|b| b.is_ascii_graphic()),
        "{err:?}"
    );
    assert!(err.parameter().is_none_or(|p| p.len() <= 64), "{err:?}");
    let id = RequestId::from_u128(0x473469C7_AA6F_4DC5_B3DB_A3DC0DE3C83E);

    let mut json = String::new();
    Response::error(Format::Json, id, err)
        .write_body(&mut json)
        .expect("writing to a String");
    assert!(
        !json.bytes().any(|b| b < 0x20),
        "raw control byte in {json:?}"
    );
    let message = json
        .split_once(",\"Message\":\"")
        .and_then(|(_, m)| m.strip_suffix("\"}"))
        .unwrap_or_else(|| panic!("no Message in {json:?}"));
    let mut escaped = false;
    for c in message.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, '"') => panic!("unescaped quote in {json:?}"),
            (true, _) => {
                assert!(
                    matches!(c, '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u'),
                    "bad escape in {json:?}"
                );
                escaped = false;
            }
            _ => {}
        }
    }
    assert!(!escaped, "dangling backslash in {json:?}");

    let mut xml = String::new();
    Response::error(Format::Xml, id, err)
        .write_body(&mut xml)
        .expect("writing to a String");
    let message = xml
        .split_once("<Message>")
        .and_then(|(_, m)| m.strip_suffix("</Message></Error>"))
        .unwrap_or_else(|| panic!("no Message in {xml:?}"));
    assert!(!message.contains(['<', '>']), "markup in {xml:?}");
    for (i, _) in message.match_indices('&') {
        let entity = &message[i..];
        assert!(
            // A line break and a tab are written as character references,
            // so that a body is one line (SPEC §9).
            [
                "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#xD;", "&#10;", "&#9;"
            ]
            .iter()
            .any(|e| entity.starts_with(e)),
            "bare & in {xml:?}"
        );
    }
    assert!(
        !message
            .chars()
            .any(|c| (c < ' ' && !matches!(c, '\t' | '\n')) || c == '\u{fffe}' || c == '\u{ffff}'),
        "character XML 1.0 forbids in {xml:?}"
    );
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn percent_decode(raw: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = hex(*raw.get(i + 1)?)?;
                let lo = hex(*raw.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A plain form-urlencoded reading of a query, for queries without the
/// extras `RequestParser::parse` tolerates (URL prefix, leading `?`, line breaks,
/// the API page's placeholder): `None` when a name or value does not
/// decode to UTF-8.
pub fn reference_pairs(query: &[u8]) -> Option<Vec<(String, String)>> {
    query
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &[][..]),
            };
            Some((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

/// Whether `query` is plain enough for [`reference_pairs`] to read it as
/// `RequestParser::parse` does.
pub fn is_plain_query(query: &[u8]) -> bool {
    !query.starts_with(b"http://")
        && !query.starts_with(b"https://")
        && !query.starts_with(b"?")
        && !query.contains(&b'\r')
        && !query.contains(&b'\n')
        && !query
            .split(|&b| b == b'&')
            .any(|pair| pair == "<公共请求参数>".as_bytes())
}

/// A rule's destination, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedDestination {
    Ipv4(Ipv4Cidr),
    Ipv6(Ipv6Cidr),
    Group(String),
    PrefixList(String),
}

/// A rule as a store hands it out, owned so that it outlives changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedRule {
    pub protocol: IpProtocol,
    pub port_range: PortRange,
    pub source_port_range: Option<PortRange>,
    pub nic_type: NicType,
    pub policy: Policy,
    pub priority: Priority,
    pub destination: OwnedDestination,
    pub source: Option<Source>,
    pub description: String,
}

impl OwnedRule {
    /// Copies a rule out of a store.
    pub fn from_rule(r: &EgressRule<'_>) -> OwnedRule {
        OwnedRule {
            protocol: r.protocol,
            port_range: r.port_range,
            source_port_range: r.source_port_range,
            nic_type: r.nic_type,
            policy: r.policy,
            priority: r.priority,
            destination: match r.destination {
                RuleDestination::Ipv4(v4) => OwnedDestination::Ipv4(v4),
                RuleDestination::Ipv6(v6) => OwnedDestination::Ipv6(v6),
                RuleDestination::Group(id) => OwnedDestination::Group(id.to_owned()),
                RuleDestination::PrefixList(id) => OwnedDestination::PrefixList(id.to_owned()),
            },
            source: r.source,
            description: r.description.to_owned(),
        }
    }

    /// The rule as a store takes it.
    pub fn view(&self) -> EgressRule<'_> {
        EgressRule {
            protocol: self.protocol,
            port_range: self.port_range,
            source_port_range: self.source_port_range,
            nic_type: self.nic_type,
            policy: self.policy,
            priority: self.priority,
            destination: match &self.destination {
                OwnedDestination::Ipv4(v4) => RuleDestination::Ipv4(*v4),
                OwnedDestination::Ipv6(v6) => RuleDestination::Ipv6(*v6),
                OwnedDestination::Group(id) => RuleDestination::Group(id),
                OwnedDestination::PrefixList(id) => RuleDestination::PrefixList(id),
            },
            source: self.source,
            description: &self.description,
        }
    }
}

/// The groups and rules of a store, in order.
pub type Snapshot = Vec<(GroupInfo, Vec<OwnedRule>)>;

/// A store whose groups can be read by handle (the trait finds them by
/// id): the crate's stores and the state.
pub trait Groups: GroupStore {
    fn info(&self, group: GroupHandle) -> Option<&GroupInfo>;
}

impl Groups for VecStore {
    fn info(&self, group: GroupHandle) -> Option<&GroupInfo> {
        self.group_info(group)
    }
}

impl<const G: usize, const R: usize, const T: usize> Groups for BoundedStore<G, R, T> {
    fn info(&self, group: GroupHandle) -> Option<&GroupInfo> {
        self.group_info(group)
    }
}

impl Groups for State {
    fn info(&self, group: GroupHandle) -> Option<&GroupInfo> {
        self.group_info(group)
    }
}

/// The slots of a group's modelled rules, in store order.
pub fn modelled_slots<S: GroupStore>(store: &S, group: GroupHandle) -> Vec<usize> {
    rule_indexes(store, group)
        .filter(|&i| store.rule(group, i).is_some_and(|r| r.modelled().is_some()))
        .collect()
}

/// Copies the first `groups` groups of a store out, with their modelled
/// rules in store order.
pub fn snapshot<S: Groups>(store: &S, groups: usize) -> Snapshot {
    (0..groups)
        .map(|g| {
            let h = GroupHandle::new(g);
            let info = store.info(h).expect("group handle").clone();
            let rules = modelled_slots(store, h)
                .into_iter()
                .filter_map(|i| store.rule(h, i))
                .filter_map(|rule| rule.modelled().map(OwnedRule::from_rule))
                .collect();
            (info, rules)
        })
        .collect()
}
