//! Near misses: when no rule has the key a request names, the rule that
//! came closest and the fields in which it differs.

use core::fmt;

flags! {
    /// A field of a rule, as far as identification is concerned.
    pub enum RuleField: u16;
    /// A set of rule fields; `Display` writes their names separated by
    /// `", "`.
    pub struct RuleFields, joined by ", ";
    /// `IpProtocol` differs.
    IpProtocol = 0 => "IpProtocol",
    /// `PortRange` differs.
    PortRange = 1 => "PortRange",
    /// `SourcePortRange` differs (including one the request left out).
    SourcePortRange = 2 => "SourcePortRange",
    /// `NicType` differs.
    NicType = 3 => "NicType",
    /// `Policy` differs.
    Policy = 4 => "Policy",
    /// The destination differs.
    Destination = 5 => "destination",
    /// The destination is the same block, written differently (`1.2.3.4`
    /// vs `1.2.3.4/32`, or other host bits).
    DestinationSpelling = 6 => "destination as written (bare address, /32 or host bits)",
    /// The source address differs (including one the request left out).
    Source = 7 => "source",
    /// The source is the same block, written differently.
    SourceSpelling = 8 => "source as written (bare address, /32 or host bits)",
    /// Everything else matches but the rule has another `Priority`.
    Priority = 9 => "Priority",
}

/// The rule closest to a request that matched none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NearMiss {
    /// The rule's position among the group's egress rules.
    pub rule_index: usize,
    /// The fields in which it differs from the request.
    pub differs: RuleFields,
}

impl fmt::Display for NearMiss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "closest rule #{} differs in {}",
            self.rule_index, self.differs
        )
    }
}
