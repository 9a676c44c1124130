//! The `NicType` parameter.

use crate::keyword::{keyword_enum, keyword_error};

keyword_enum! {
    /// The network interface type of a rule (`NicType`), accepted in any case.
    ///
    /// The default depends on the group (see [`NicType::default_for`]).
    ///
    /// ```
    /// use aliyun_sg_egress::NicType;
    /// assert_eq!("Intranet".parse::<NicType>(), Ok(NicType::Intranet));
    /// assert!("wan".parse::<NicType>().is_err());
    /// ```
    pub enum NicType / InvalidNicType {
        /// `internet`: the public NIC (classic network only).
        Internet => "internet",
        /// `intranet`: the private NIC.
        Intranet => "intranet",
    }
}

keyword_error! {
    /// The text is neither `internet` nor `intranet`.
    pub struct InvalidNicType => "nic type must be internet or intranet";
}

impl NicType {
    /// The NIC type a rule has when the request leaves it out, or for a
    /// VPC group whatever it says (SPEC §5): `intranet` in a VPC group and
    /// for a group destination; `internet` for a classic group's CIDR rules.
    ///
    /// ```
    /// use aliyun_sg_egress::NicType;
    /// assert_eq!(NicType::default_for(false, false), NicType::Internet);
    /// assert_eq!(NicType::default_for(false, true), NicType::Intranet);
    /// assert_eq!(NicType::default_for(true, false), NicType::Intranet);
    /// ```
    pub const fn default_for(vpc_group: bool, group_destination: bool) -> NicType {
        if vpc_group || group_destination {
            NicType::Intranet
        } else {
            NicType::Internet
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn table_round_trips() {
        for &n in NicType::ALL {
            assert_eq!(NicType::parse(n.as_str()), Ok(n));
            assert_eq!(NicType::parse(&n.as_str().to_ascii_uppercase()), Ok(n));
        }
    }

    #[test]
    fn rejects_other_text() {
        for bad in ["", "inter net", "public", "intranet "] {
            assert_eq!(NicType::parse(bad), Err(InvalidNicType));
        }
    }
}
