//! Near misses: when no rule has the key a request names, the rule that
//! came closest and the fields in which it differs.

use core::fmt;

/// A field of a rule, as far as identification is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum RuleField {
    /// `IpProtocol` differs.
    IpProtocol = 1 << 0,
    /// `PortRange` differs.
    PortRange = 1 << 1,
    /// `SourcePortRange` differs (including one the request left out).
    SourcePortRange = 1 << 2,
    /// `NicType` differs.
    NicType = 1 << 3,
    /// `Policy` differs.
    Policy = 1 << 4,
    /// The destination differs.
    Destination = 1 << 5,
    /// The destination is the same block, written differently (`1.2.3.4`
    /// vs `1.2.3.4/32`, or other host bits).
    DestinationSpelling = 1 << 6,
    /// The source address differs (including one the request left out).
    Source = 1 << 7,
    /// The source is the same block, written differently.
    SourceSpelling = 1 << 8,
    /// Everything else matches but the rule has another `Priority`.
    Priority = 1 << 9,
}

impl RuleField {
    /// Every field, in display order.
    pub const ALL: [RuleField; 10] = [
        RuleField::IpProtocol,
        RuleField::PortRange,
        RuleField::SourcePortRange,
        RuleField::NicType,
        RuleField::Policy,
        RuleField::Destination,
        RuleField::DestinationSpelling,
        RuleField::Source,
        RuleField::SourceSpelling,
        RuleField::Priority,
    ];

    /// A short name for messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleField::IpProtocol => "IpProtocol",
            RuleField::PortRange => "PortRange",
            RuleField::SourcePortRange => "SourcePortRange",
            RuleField::NicType => "NicType",
            RuleField::Policy => "Policy",
            RuleField::Destination => "destination",
            RuleField::DestinationSpelling => {
                "destination as written (bare address, /32 or host bits)"
            }
            RuleField::Source => "source",
            RuleField::SourceSpelling => "source as written (bare address, /32 or host bits)",
            RuleField::Priority => "Priority",
        }
    }
}

/// A set of rule fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RuleFields(u16);

impl RuleFields {
    /// No field.
    pub const NONE: RuleFields = RuleFields(0);

    /// The set with one more field.
    #[must_use]
    pub const fn with(self, field: RuleField) -> RuleFields {
        RuleFields(self.0 | field as u16)
    }

    /// Whether the set holds `field`.
    pub const fn contains(self, field: RuleField) -> bool {
        self.0 & field as u16 != 0
    }

    /// How many fields the set holds.
    pub const fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The fields in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = RuleField> {
        RuleField::ALL
            .into_iter()
            .filter(move |f| self.contains(*f))
    }
}

/// The field names, separated by `", "`.
impl fmt::Display for RuleFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, field) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(field.as_str())?;
        }
        Ok(())
    }
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
