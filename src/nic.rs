//! The `NicType` parameter.

use crate::keyword::{keyword_enum, keyword_error};
use crate::model::{Network, RuleDestination};

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
    /// The NIC type a rule to `destination` has in a group on `network`
    /// when the request leaves it out, or in a VPC group whatever it says
    /// (SPEC §5): `intranet` in a VPC group and for a group destination;
    /// `internet` for a classic group's CIDR rules.
    ///
    /// ```
    /// use aliyun_sg_egress::model::{Network, RuleDestination};
    /// use aliyun_sg_egress::NicType;
    /// use aliyun_sg_egress::text::VpcId;
    /// let cidr = RuleDestination::Ipv4("10.0.0.0/8".parse().unwrap());
    /// let group = RuleDestination::Group("sg-1");
    /// let vpc = Network::Vpc { id: VpcId::parse("vpc-1")?, classic_link: false };
    /// assert_eq!(NicType::default_for(&Network::Classic, &cidr), NicType::Internet);
    /// assert_eq!(NicType::default_for(&Network::Classic, &group), NicType::Intranet);
    /// assert_eq!(NicType::default_for(&vpc, &cidr), NicType::Intranet);
    /// # Ok::<(), aliyun_sg_egress::text::InvalidText>(())
    /// ```
    pub const fn default_for(network: &Network, destination: &RuleDestination<'_>) -> NicType {
        if network.is_vpc() || !destination.is_address() {
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
