//! A security group's metadata.

use crate::text::{AccountId, AccountName, GroupId, RegionId, VpcId};

/// The network a security group lives in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Network {
    /// The classic network (no `VpcId`).
    Classic,
    /// A VPC. `classic_link` stands for the VPC's ClassicLink setting
    /// (absent in a state file means off).
    Vpc {
        /// `VpcId`.
        id: VpcId,
        /// Whether ClassicLink is enabled on the VPC.
        classic_link: bool,
    },
}

impl Network {
    /// Whether the group is in a VPC.
    pub const fn is_vpc(&self) -> bool {
        matches!(self, Network::Vpc { .. })
    }

    /// The VPC id, for a VPC group.
    pub fn vpc_id(&self) -> Option<&VpcId> {
        match self {
            Network::Vpc { id, .. } => Some(id),
            Network::Classic => None,
        }
    }

    /// Whether ClassicLink is on (always `false` for the classic network).
    pub const fn classic_link(&self) -> bool {
        match self {
            Network::Vpc { classic_link, .. } => *classic_link,
            Network::Classic => false,
        }
    }
}

/// Everything about a security group but its rules.
///
/// ```
/// use aliyun_sg_egress::model::{GroupInfo, Network};
/// use aliyun_sg_egress::text::{GroupId, RegionId};
/// let info = GroupInfo::new(GroupId::parse("sg-1")?, RegionId::parse("cn-hangzhou")?, Network::Classic);
/// assert!(!info.network.is_vpc());
/// # Ok::<(), aliyun_sg_egress::text::InvalidText>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupInfo {
    /// `SecurityGroupId`.
    pub id: GroupId,
    /// `RegionId`.
    pub region: RegionId,
    /// Classic network, or a VPC.
    pub network: Network,
    /// The owner's account name, if recorded (`OwnerAccount`).
    pub owner_account: Option<AccountName>,
    /// The owner's account id, if recorded (`OwnerId`).
    pub owner_id: Option<AccountId>,
}

impl GroupInfo {
    /// A group with no owner recorded.
    pub fn new(id: GroupId, region: RegionId, network: Network) -> GroupInfo {
        GroupInfo {
            id,
            region,
            network,
            owner_account: None,
            owner_id: None,
        }
    }
}
