//! The `Policy` parameter.

use crate::keyword::{keyword_enum, keyword_error};

keyword_enum! {
    /// Whether a rule lets traffic through (`Policy`), accepted in any case;
    /// `accept` when the request leaves it out.
    ///
    /// The API page's example says `Policy=allow`; that value is refused
    /// (`InvalidPolicy.Malformed`), with a hint.
    ///
    /// ```
    /// use aliyun_sg_egress::Policy;
    /// assert_eq!("Drop".parse::<Policy>(), Ok(Policy::Drop));
    /// assert_eq!(Policy::default(), Policy::Accept);
    /// assert!("allow".parse::<Policy>().is_err());
    /// ```
    pub enum Policy / InvalidPolicy {
        /// `accept`: let the traffic through.
        Accept => "accept",
        /// `drop`: discard it without a reply.
        Drop => "drop",
    }
}

keyword_error! {
    /// The text is neither `accept` nor `drop`.
    pub struct InvalidPolicy => "policy must be accept or drop";
}

#[allow(clippy::derivable_impls)] // the enum comes from a macro table
impl Default for Policy {
    fn default() -> Self {
        Policy::Accept
    }
}

impl Policy {
    /// The policy as the API writes it in rules (`Accept`, `Drop`).
    ///
    /// ```
    /// use aliyun_sg_egress::Policy;
    /// assert_eq!(Policy::Drop.api_name(), "Drop");
    /// ```
    pub const fn api_name(self) -> &'static str {
        match self {
            Policy::Accept => "Accept",
            Policy::Drop => "Drop",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn table_round_trips() {
        for &p in Policy::ALL {
            assert_eq!(Policy::parse(p.as_str()), Ok(p));
            assert_eq!(Policy::parse(&p.as_str().to_ascii_uppercase()), Ok(p));
        }
    }

    #[test]
    fn rejects_allow_and_others() {
        for bad in ["", "allow", "deny", "accept "] {
            assert_eq!(Policy::parse(bad), Err(InvalidPolicy));
        }
    }
}
