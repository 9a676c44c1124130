//! Hints: advice attached to an error or a request, never part of the
//! documented code or message.

use core::fmt;

/// One piece of advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Hint {
    /// `Policy=allow` was given (the API page's own example): the API
    /// spells it `accept`.
    PolicyAllow = 1 << 0,
    /// `SourceGroupId` was given: an ingress parameter, ignored here.
    SourceGroupId = 1 << 1,
    /// `SourceGroupOwnerAccount` was given: an ingress parameter, ignored.
    SourceGroupOwnerAccount = 1 << 2,
    /// `SourceGroupOwnerId` was given: an ingress parameter, ignored.
    SourceGroupOwnerId = 1 << 3,
    /// `SourcePrefixListId` was given: an ingress parameter, ignored.
    SourcePrefixListId = 1 << 4,
}

impl Hint {
    /// Every hint, in display order.
    pub const ALL: [Hint; 5] = [
        Hint::PolicyAllow,
        Hint::SourceGroupId,
        Hint::SourceGroupOwnerAccount,
        Hint::SourceGroupOwnerId,
        Hint::SourcePrefixListId,
    ];

    /// The advice in words.
    pub const fn as_str(self) -> &'static str {
        match self {
            Hint::PolicyAllow => "Policy \"allow\": did you mean accept?",
            Hint::SourceGroupId => {
                "SourceGroupId is an ingress parameter and was ignored: did you mean DestGroupId?"
            }
            Hint::SourceGroupOwnerAccount => {
                "SourceGroupOwnerAccount is an ingress parameter and was ignored: did you mean DestGroupOwnerAccount?"
            }
            Hint::SourceGroupOwnerId => {
                "SourceGroupOwnerId is an ingress parameter and was ignored: did you mean DestGroupOwnerId?"
            }
            Hint::SourcePrefixListId => {
                "SourcePrefixListId is an ingress parameter and was ignored: an egress rule names its destination"
            }
        }
    }

    /// The hint for an ingress-only parameter name, if it is one.
    pub fn for_ingress_parameter(name: &[u8]) -> Option<Hint> {
        match name {
            b"SourceGroupId" => Some(Hint::SourceGroupId),
            b"SourceGroupOwnerAccount" => Some(Hint::SourceGroupOwnerAccount),
            b"SourceGroupOwnerId" => Some(Hint::SourceGroupOwnerId),
            b"SourcePrefixListId" => Some(Hint::SourcePrefixListId),
            _ => None,
        }
    }
}

/// A set of hints.
///
/// ```
/// use aliyun_sg_egress::error::{Hint, Hints};
/// let h = Hints::NONE.with(Hint::PolicyAllow);
/// assert!(h.contains(Hint::PolicyAllow));
/// assert_eq!(h.to_string(), "Policy \"allow\": did you mean accept?");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hints(u8);

impl Hints {
    /// No hint.
    pub const NONE: Hints = Hints(0);

    /// The set with one more hint.
    #[must_use]
    pub const fn with(self, hint: Hint) -> Hints {
        Hints(self.0 | hint as u8)
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: Hints) -> Hints {
        Hints(self.0 | other.0)
    }

    /// Whether the set holds `hint`.
    pub const fn contains(self, hint: Hint) -> bool {
        self.0 & hint as u8 != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The hints in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = Hint> {
        Hint::ALL.into_iter().filter(move |h| self.contains(*h))
    }
}

/// The hints' texts, separated by `"; "`.
impl fmt::Display for Hints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, hint) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(hint.as_str())?;
        }
        Ok(())
    }
}
