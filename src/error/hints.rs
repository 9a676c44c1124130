//! Hints: advice attached to an error or a request, never part of the
//! documented code or message.

flags! {
    /// One piece of advice.
    pub enum Hint: u8;
    /// A set of hints; `Display` writes their texts separated by `"; "`.
    ///
    /// ```
    /// use aliyun_sg_egress::error::{Hint, Hints};
    /// let h = Hints::NONE.with(Hint::PolicyAllow);
    /// assert!(h.contains(Hint::PolicyAllow));
    /// assert_eq!(h.to_string(), "Policy \"allow\": did you mean accept?");
    /// ```
    pub struct Hints, joined by "; ";
    /// `Policy=allow` was given (the API page's own example): the API
    /// spells it `accept`.
    PolicyAllow = 0 => "Policy \"allow\": did you mean accept?",
    /// `SourceGroupId` was given: an ingress parameter, ignored here.
    SourceGroupId = 1 => "SourceGroupId is an ingress parameter and was ignored: did you mean DestGroupId?",
    /// `SourceGroupOwnerAccount` was given: an ingress parameter, ignored.
    SourceGroupOwnerAccount = 2 => "SourceGroupOwnerAccount is an ingress parameter and was ignored: did you mean DestGroupOwnerAccount?",
    /// `SourceGroupOwnerId` was given: an ingress parameter, ignored.
    SourceGroupOwnerId = 3 => "SourceGroupOwnerId is an ingress parameter and was ignored: did you mean DestGroupOwnerId?",
    /// `SourcePrefixListId` was given: an ingress parameter, ignored.
    SourcePrefixListId = 4 => "SourcePrefixListId is an ingress parameter and was ignored: an egress rule names its destination",
}

impl Hint {
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
