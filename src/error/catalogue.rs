//! The API's error catalogue: one row per documented cause.
//!
//! The rows of the API page come first, in the page's order, with the
//! status, `Code` and `Message` exactly as the page prints them
//! (misspellings such as `InvalidParamter` and `Discription` included).
//! Where the page lists one code with two statuses or messages, each is a
//! cause of its own. The three gateway-wide codes that every Alibaba Cloud
//! API shares follow in their own group ([`CauseGroup::Common`]).
//!
//! Messages containing `%s` are filled with a detail; messages containing
//! `<name>` are filled with the parameter name (see [`crate::error::ApiError`]).

/// Which list a cause comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CauseGroup {
    /// A row of the `ModifySecurityGroupEgressRule` page's error table.
    Page,
    /// A gateway-wide code shared by every API (not on the page).
    Common,
}

/// A message as the error fills it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parts {
    /// `%s`: the detail is the message.
    Detail,
    /// Fixed text.
    Text(&'static str),
    /// Text with the parameter name between the two parts.
    Name(&'static str, &'static str),
}

impl Parts {
    /// Splits `message` at its `<name>`, if it has one (at compile time:
    /// the catalogue is ASCII, so every byte is a character boundary).
    const fn of(message: &'static str) -> Parts {
        if matches!(message.as_bytes(), b"%s") {
            return Parts::Detail;
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
    }

    #[test]
    fn parts_split_the_message_at_its_placeholder() {
        for &c in Cause::ALL {
            let joined = match c.parts() {
                Parts::Detail => "%s".to_string(),
                Parts::Text(text) => text.to_string(),
                Parts::Name(before, after) => format!("{before}<name>{after}"),
            };
            assert_eq!(joined, c.message(), "{c:?}");
        }
        assert!(matches!(Cause::MissingParameter.parts(), Parts::Name(..)));
        assert_eq!(Cause::IllegalIpv6Cidr.parts(), Parts::Detail);
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
