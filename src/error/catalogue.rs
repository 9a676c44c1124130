//! The API's error catalogue: one row per documented cause.
//!
//! The rows of the API page come first, in the page's order, with the
//! status, `Code` and `Message` exactly as the page prints them
//! (misspellings such as `InvalidParamter` and `Discription` included).
//! Where the page lists one code with two statuses or messages, each is a
//! cause of its own. The three gateway-wide codes that every Alibaba Cloud
//! API shares follow in their own group ([`CauseGroup::Common`]), then the
//! codes of the rest of the egress-rule lifecycle (SPEC §12,
//! [`CauseGroup::Lifecycle`]) and of the HTTP gateway in front of it
//! (§12.9, §13, [`CauseGroup::Gateway`]), with the texts SPEC quotes.
//!
//! Messages starting with `%s` are filled with a detail (a text after it,
//! such as `RuleDuplicate`'s `.`, follows the detail); messages containing
//! `<name>` are filled with the parameter name (see [`crate::error::ApiError`]).

/// Which list a cause comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CauseGroup {
    /// A row of the `ModifySecurityGroupEgressRule` page's error table.
    Page,
    /// A gateway-wide code shared by every API (not on the page).
    Common,
    /// A code of the other egress-rule actions (Authorize, Revoke, Modify
    /// by rule id, Describe) or of `ClientToken` idempotency (SPEC §12).
    Lifecycle,
    /// A code the API gateway answers before any action runs: the API
    /// version and the request signature (SPEC §12.9, §13).
    Gateway,
}

/// A message as the error fills it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parts {
    /// `%s` then fixed text (usually none): the detail is the message.
    Detail(&'static str),
    /// Fixed text.
    Text(&'static str),
    /// Text with the parameter name between the two parts.
    Name(&'static str, &'static str),
}

impl Parts {
    /// Splits `message` at its `<name>`, if it has one (at compile time:
    /// the catalogue is ASCII, so every byte is a character boundary).
    const fn of(message: &'static str) -> Parts {
        if let [b'%', b's', ..] = message.as_bytes() {
            return Parts::Detail(message.split_at(2).1);
        }
        let mut rest = message.as_bytes();
        let mut at = 0;
        while let [_, tail @ ..] = rest {
            if let [b'<', b'n', b'a', b'm', b'e', b'>', ..] = rest {
                let (before, name_after) = message.split_at(at);
                return Parts::Name(before, name_after.split_at(b"<name>".len()).1);
            }
            rest = tail;
            at += 1;
        }
        Parts::Text(message)
    }
}

macro_rules! catalogue {
    (
        $( $group:ident {
            $( $(#[$meta:meta])* $cause:ident = $status:literal, $code:literal, $message:literal; )+
        } )+
    ) => {
        /// One documented cause of an API error: a row of the catalogue.
        ///
        /// ```
        /// use aliyun_sg_egress::error::Cause;
        /// let c = Cause::InvalidPolicyMalformed;
        /// assert_eq!((c.status(), c.code()), (400, "InvalidPolicy.Malformed"));
        /// assert_eq!(c.message(), "The specified parameter \"Policy\" is not valid.");
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Cause {
            $( $( $(#[$meta])* $cause, )+ )+
        }

        impl Cause {
            /// Every cause: the page's rows in the page's order, then the
            /// common codes.
            pub const ALL: &'static [Cause] = &[$( $(Cause::$cause,)+ )+];

            /// The HTTP status the API answers with.
            pub const fn status(self) -> u16 {
                match self { $( $( Cause::$cause => $status, )+ )+ }
            }

            /// The `Code` field, exactly as documented.
            pub const fn code(self) -> &'static str {
                match self { $( $( Cause::$cause => $code, )+ )+ }
            }

            /// The `Message` field as documented, with its `%s` or `<name>`
            /// placeholder unfilled.
            pub const fn message(self) -> &'static str {
                match self { $( $( Cause::$cause => $message, )+ )+ }
            }

            /// The message around its placeholder, split when the crate
            /// is compiled.
            pub(crate) const fn parts(self) -> Parts {
                match self { $( $( Cause::$cause => const { Parts::of($message) }, )+ )+ }
            }

            /// Whether the row is on the API page or a common code.
            pub const fn group(self) -> CauseGroup {
                match self { $( $( Cause::$cause => CauseGroup::$group, )+ )+ }
            }
        }
    };
}

catalogue! {
    Page {
        /// The security group is not in the state, or not in that region.
        InvalidSecurityGroupIdNotFound = 404, "InvalidSecurityGroupId.NotFound",
            "The specified SecurityGroupId does not exist.";
        /// The destination group is not in the state, or not in that region.
        InvalidDestGroupIdNotFound = 404, "InvalidDestGroupId.NotFound",
            "The DestGroupId provided does not exist in our records.";
        /// The protocol and port range do not match.
        OperationDenied = 400, "OperationDenied",
            "The specified IpProtocol does not exist or IpProtocol and PortRange do not match.";
        /// A `tcp`/`udp` port range with a zero port or reversed.
        InvalidIpProtocolMalformed = 400, "InvalidIpProtocol.Malformed",
            "The specified parameter \"PortRange\" is not valid.";
        /// A group destination with `NicType=internet` (the 403 row).
        InvalidDestGroupIdNicMismatch = 403, "InvalidDestGroupId.Mismatch",
            "NicType is required or NicType expects intranet.";
        /// `DestCidrIp` is not an IPv4 address or CIDR (the row that quotes
        /// the name; this is the one requests produce).
        InvalidDestCidrIpMalformed = 400, "InvalidDestCidrIp.Malformed",
            "The specified parameter \"DestCidrIp\" is not valid.";
        /// The page's older "both blank" row; requests get
        /// [`Cause::MissingParameterDest`] instead.
        MissingParameterBothBlank = 403, "MissingParameter",
            "The input parameter \"DestGroupId\" or \"DestCidrIp\" cannot be both blank.";
        /// `Policy` is neither `accept` nor `drop`.
        InvalidPolicyMalformed = 400, "InvalidPolicy.Malformed",
            "The specified parameter \"Policy\" is not valid.";
        /// `NicType` is a value other than `internet` or `intranet`.
        InvalidNicTypeDoesNotExist = 400, "InvalidNicType.ValueNotSupported",
            "The specified NicType does not exist.";
        /// In a classic group, a rule matches in all but `NicType`.
        InvalidNicTypeMismatch = 400, "InvalidNicType.Mismatch",
            "Specified nic type conflicts with the authorization record.";
        /// The group's rule quota is full (Authorize; bounded stores).
        AuthorizationLimitExceed = 403, "AuthorizationLimitExceed",
            "The limit of authorization records in the security group reaches.";
        /// An ingress-side conflict; catalogued for embedders.
        InvalidParamterConflict = 403, "InvalidParamter.Conflict",
            "The specified SecurityGroupId should be different from the SourceGroupId.";
        /// Both groups are in VPCs, but different ones (the 400 row).
        InvalidDestGroupIdVpcMismatch = 400, "InvalidDestGroupId.Mismatch",
            "Specified security group and destination group are not in the same VPC.";
        /// The destination group's owner is not the one the request names.
        InvalidDestGroupNotFound = 400, "InvalidDestGroup.NotFound",
            "Specified destination security group does not exist.";
        /// Catalogued for embedders.
        VpcDisabled = 400, "VPCDisabled",
            "Can't use the SecurityGroup in VPC.";
        /// `Priority` is not of the form `-?[0-9]+`.
        InvalidPriorityMalformed = 400, "InvalidPriority.Malformed",
            "The specified parameter \"Priority\" is not valid.";
        /// `Priority` is below 1.
        InvalidPriorityBelowRange = 400, "InvalidPriority.ValueNotSupported",
            "The specified Priority is invalid.";
        /// The page's unquoted duplicate of [`Cause::InvalidDestCidrIpMalformed`].
        InvalidDestCidrIpMalformedUnquoted = 400, "InvalidDestCidrIp.Malformed",
            "The specified parameter DestCidrIp is not valid.";
        /// A store backend failed.
        InternalError = 500, "InternalError",
            "The request processing has failed due to some unknown error.";
        /// A classic group and a destination in a VPC without ClassicLink.
        InvalidNetworkTypeConflict = 403, "InvalidNetworkType.Conflict",
            "The specified SecurityGroup network type should be same with SourceGroup network type (vpc or classic).";
        /// `DestGroupId` equals `SecurityGroupId`.
        InvalidSecurityGroupIsSame = 403, "InvalidSecurityGroup.IsSame",
            "The authorized SecurityGroupId should be different from the DestGroupId.";
        /// `NicType` given empty.
        InvalidNicTypeNotValid = 400, "InvalidNicType.ValueNotSupported",
            "The specified NicType is not valid.";
        /// `Description` longer than 512 characters.
        InvalidDescriptionMalformed = 400, "InvalidSecurityGroupDiscription.Malformed",
            "The specified security group rule description is not valid.";
        /// No rule has the key the request names.
        SecurityGroupRuleNotFound = 404, "SecurityGroupRule.NotFound",
            "The target security group rule do not exist.";
        /// A VPC group and a classic destination without ClassicLink.
        InvalidSecurityGroupInvalidNetworkType = 400, "InvalidSecurityGroup.InvalidNetworkType",
            "The specified security group network type is not support this operation, please check the security group network types. For VPC security groups, ClassicLink must be enabled.";
        /// No `DestCidrIp`, `Ipv6DestCidrIp` or `DestGroupId`.
        MissingParameterDest = 400, "MissingParameter.Dest",
            "The parameter DestCidrIp or DestGroupId is essential.";
        /// A port range not of the grammar.
        InvalidParamPortRange = 400, "InvalidParam.PortRange",
            "The specified param PortRange or SourcePortRange is not valid. should be integer and less than 65535, range separator is '/'.";
        /// `IpProtocol` missing or not supported.
        InvalidIpProtocolValueNotSupported = 400, "InvalidIpProtocol.ValueNotSupported",
            "The specified parameter IpProtocol should not be null and only tcp, udp, icmp, gre or all is supported. Ignore case.";
        /// `Priority` is above 100.
        InvalidPriorityAboveRange = 400, "InvalidPriority.ValueNotSupported",
            "The parameter Priority is invalid.";
        /// `SourceCidrIp` invalid, or given with `Ipv6SourceCidrIp`.
        InvalidParamSourceIp = 400, "InvalidParam.SourceIp", "%s";
        /// `DestCidrIp` given with `Ipv6DestCidrIp`.
        InvalidParamDestIp = 400, "InvalidParam.DestIp", "%s";
        /// `Ipv6DestCidrIp` is not an IPv6 address or CIDR.
        InvalidParamIpv6DestCidrIp = 400, "InvalidParam.Ipv6DestCidrIp", "%s";
        /// `Ipv6SourceCidrIp` is not an IPv6 address or CIDR.
        InvalidParamIpv6SourceCidrIp = 400, "InvalidParam.Ipv6SourceCidrIp", "%s";
        /// An IPv4 protocol or destination with an IPv6 address.
        Ipv4ProtocolConflictWithIpv6Address = 400, "InvalidParam.Ipv4ProtocolConflictWithIpv6Address", "%s";
        /// An IPv6 protocol or destination with an IPv4 address.
        Ipv6ProtocolConflictWithIpv4Address = 400, "InvalidParam.Ipv6ProtocolConflictWithIpv4Address", "%s";
        /// An IPv4 value, or a bad prefix, in an IPv6 parameter.
        IllegalIpv6Cidr = 400, "ILLEGAL_IPV6_CIDR", "%s";
    }
    Common {
        /// A mandatory parameter is absent or empty.
        MissingParameter = 400, "MissingParameter",
            "The input parameter \"<name>\" that is mandatory for processing this request is not supplied.";
        /// A parameter is badly encoded, too long, given twice, or invalid.
        InvalidParameter = 400, "InvalidParameter",
            "The specified parameter \"<name>\" is not valid.";
        /// `Action` names an API this crate does not implement.
        InvalidActionNotFound = 404, "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.";
    }
    Lifecycle {
        /// `Permissions.N` beside the flat rule fields, an `N` outside
        /// 1..=100, or rule ids beside permissions.
        InvalidParamPermissions = 400, "InvalidParam.Permissions",
            "The specified parameter Permissions cannot coexist with other parameters.";
        /// Two permissions of one request have the same key.
        InvalidParamDuplicatePermissions = 400, "InvalidParam.DuplicatePermissions",
            "There are duplicate permissions in the specified parameter Permissions.";
        /// A prefix-list destination in a classic group.
        NotSupportedClassicNetworkPrefixList = 400, "NotSupported.ClassicNetworkPrefixList",
            "The prefix list is not supported when the network type of security group is classic.";
        /// A prefix list the state does not list.
        InvalidPrefixListIdNotFound = 404, "InvalidPrefixListId.NotFound",
            "The specified prefix list was not found.";
        /// More than 20 egress rules with a group destination (Authorize).
        AuthorizedGroupRuleLimitExceed = 400, "AuthorizedGroupRule.LimitExceed",
            "You have reached the limit on the number of group authorization rules that you can add to a security group.When authorization object of rule is security group, the limit is 20.";
        /// A `SecurityGroupRuleId` not of the `sgr-` shape, or a bad `N`.
        InvalidParamSecurityGroupRuleId = 400, "InvalidParam.SecurityGroupRuleId",
            "The specified parameter SecurityGroupRuleId is not valid.";
        /// The same rule id twice in one request.
        InvalidParamSecurityGroupRuleIdRepeated = 400, "InvalidParam.SecurityGroupRuleIdRepeated",
            "The specified parameter SecurityGroupRuleId is repeated.";
        /// A rule id that is no egress rule of the group.
        InvalidSecurityGroupRuleIdNotFound = 404, "InvalidSecurityGroupRuleId.NotFound",
            "The specified SecurityGroupRuleId is not exists.";
        /// Revoke by permissions: a permission that finds no rule.
        InvalidSecurityGroupRuleRuleNotExist = 400, "InvalidSecurityGroupRule.RuleNotExist",
            "The specified rule does not exist.";
        /// Modify by rule id: a destination or source of another kind.
        InvalidOperationModifySgRuleEntityType = 400, "InvalidOperation.ModifySgRuleEntityType",
            "The source or destination type of the rules cannot be modified.";
        /// Modify by rule id: a `NicType` other than the rule's.
        InvalidOperationModifyNicType = 400, "InvalidOperation.ModifyNicType",
            "NicType is not allowed to modify.";
        /// Modify by rule id: the changed rule equals another rule.
        InvalidOperationRuleDuplicate = 400, "InvalidOperation.RuleDuplicate", "%s.";
        /// Modify by rule id: a field other than `Description` of a rule
        /// this crate does not model.
        InvalidParamInvalidModifyRuleRequest = 400, "InvalidParam.InvalidModifyRuleRequest",
            "The request parameters are illegal.";
        /// Describe without `RegionId` (the Describe page's own row).
        MissingParameterRegionId = 400, "MissingParameter.RegionId",
            "The parameter RegionId is missing.";
        /// Describe: a bad `Direction`, `MaxResults` or `NextToken` (the
        /// Describe page's row, misspelling included).
        InvalidParamterDescribe = 400, "InvalidParamter",
            "Invalid Parameter.";
        /// A `ClientToken` used before with other parameters.
        IdempotentParameterMismatch = 400, "IdempotentParameterMismatch",
            "The request is retried with updated parameters.";
    }
    Gateway {
        /// `Version` is not `2014-05-26`.
        InvalidVersion = 400, "InvalidVersion",
            "Specified parameter Version is not valid.";
        /// No signature, or one that cannot be parsed.
        IncompleteSignature = 400, "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.";
        /// The access key is not one of the endpoint's.
        InvalidAccessKeyIdNotFound = 404, "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.";
        /// The signature is wrong.
        SignatureDoesNotMatch = 400, "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.";
        /// The signature nonce was seen in the last 15 minutes.
        SignatureNonceUsed = 400, "SignatureNonceUsed",
            "Specified signature nonce was used already.";
        /// The timestamp is more than 15 minutes off.
        InvalidTimeStampExpired = 400, "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.";
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn page_has_36_rows_and_three_common_codes() {
        let page = Cause::ALL
            .iter()
            .filter(|c| c.group() == CauseGroup::Page)
            .count();
        let common = Cause::ALL
            .iter()
            .filter(|c| c.group() == CauseGroup::Common)
            .count();
        assert_eq!((page, common), (36, 3));
        let count = |group| Cause::ALL.iter().filter(|c| c.group() == group).count();
        assert_eq!(
            (count(CauseGroup::Lifecycle), count(CauseGroup::Gateway)),
            (16, 6)
        );
    }

    #[test]
    fn parts_split_the_message_at_its_placeholder() {
        for &c in Cause::ALL {
            let joined = match c.parts() {
                Parts::Detail(after) => format!("%s{after}"),
                Parts::Text(text) => text.to_string(),
                Parts::Name(before, after) => format!("{before}<name>{after}"),
            };
            assert_eq!(joined, c.message(), "{c:?}");
        }
        assert!(matches!(Cause::MissingParameter.parts(), Parts::Name(..)));
        assert_eq!(Cause::IllegalIpv6Cidr.parts(), Parts::Detail(""));
        assert_eq!(
            Cause::InvalidOperationRuleDuplicate.parts(),
            Parts::Detail(".")
        );
    }

    #[test]
    fn no_two_causes_share_status_code_and_message() {
        for (i, a) in Cause::ALL.iter().enumerate() {
            for b in Cause::ALL.iter().skip(i + 1) {
                assert!(
                    (a.status(), a.code(), a.message()) != (b.status(), b.code(), b.message()),
                    "{a:?} and {b:?} are the same row"
                );
            }
        }
    }
}
