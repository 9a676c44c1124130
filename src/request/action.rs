//! The actions this crate implements (SPEC §12.1).

/// An API action of the egress-rule lifecycle.
///
/// ```
/// use aliyun_sg_egress::request::Action;
/// assert_eq!(Action::from_name("RevokeSecurityGroupEgress"), Some(Action::Revoke));
/// assert_eq!(Action::Describe.name(), "DescribeSecurityGroupAttribute");
/// assert_eq!(Action::from_name("revokesecuritygroupegress"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `ModifySecurityGroupEgressRule`: by parameters (§6) or by
    /// `SecurityGroupRuleId` (§12.5).
    Modify,
    /// `AuthorizeSecurityGroupEgress` (§12.3).
    Authorize,
    /// `RevokeSecurityGroupEgress` (§12.4).
    Revoke,
    /// `DescribeSecurityGroupAttribute` (§12.6).
    Describe,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 4] = [
        Action::Modify,
        Action::Authorize,
        Action::Revoke,
        Action::Describe,
    ];

    /// The action with this exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The action's name, as the API spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Action::Modify => "ModifySecurityGroupEgressRule",
            Action::Authorize => "AuthorizeSecurityGroupEgress",
            Action::Revoke => "RevokeSecurityGroupEgress",
            Action::Describe => "DescribeSecurityGroupAttribute",
        }
    }
}

impl core::fmt::Display for Action {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
