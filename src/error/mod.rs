//! API errors: the catalogue of documented causes, and [`ApiError`], one
//! cause with the parameter it names, why, hints and a near miss.

#[macro_use]
mod flags;

mod catalogue;
mod echo;
mod hints;
mod near_miss;
mod reason;

use core::fmt::{self, Write as _};

use catalogue::Parts;
pub use catalogue::{Cause, CauseGroup};
pub(crate) use echo::Echo;
pub use hints::{Hint, Hints};
pub use near_miss::{NearMiss, RuleField, RuleFields};

pub use crate::cidr::InvalidCidr;
pub use crate::nic::InvalidNicType;
pub use crate::policy::InvalidPolicy;
pub use crate::port::InvalidPortRange;
pub use crate::priority::InvalidPriority;
pub use crate::protocol::InvalidIpProtocol;
pub use crate::response::{InvalidFormat, InvalidRequestId};
pub(crate) use reason::{DecodeFault, Reason};

use crate::request::{Param, PermissionName, QUERY_STRING};

/// The most bytes of the texts an error quotes (an unknown parameter's
/// name, the value at fault, ids), together: longer ones are cut at a
/// character boundary and end with `…`.
pub const QUOTE_MAX_BYTES: usize = echo::ECHO_BYTES;

/// The parameter an error names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Name {
    None,
    /// A parameter of the API's table.
    Param(Param),
    /// The query string itself (its length, its number of parameters, or
    /// a pair with an empty name).
    QueryString,
    /// Another name: the first quoted text.
    Quoted,
    /// A parameter of the table inside a list (`Permissions.N.<field>`,
    /// `SecurityGroupRuleId.N`): the first quoted text is the whole name,
    /// and the texts the reason quotes follow it.
    Indexed(Param),
}

/// An error as the API reports it: HTTP status, `Code` and `Message`, plus
/// what a caller needs to act on it (the parameter, a detail, hints, the
/// closest rule when none matched).
///
/// The message is exactly the catalogue's, with `<name>` filled with the
/// parameter and `%s` with the detail; hints and near misses never change
/// the code or the message. An error is a few words (at most 64 bytes):
/// the detail and message are written only when asked for, from the
/// cause, the parameter, a reason and the values it quotes.
///
/// ```
/// use aliyun_sg_egress::error::{ApiError, Cause};
/// use aliyun_sg_egress::request::Param;
/// let e = ApiError::new(Cause::MissingParameter).with_parameter(Param::RegionId);
/// assert_eq!(e.status(), 400);
/// assert_eq!(e.code(), "MissingParameter");
/// assert_eq!(
///     e.to_string(),
///     "The input parameter \"RegionId\" that is mandatory for processing this request is not supplied."
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    cause: Cause,
    name: Name,
    hints: Hints,
    reason: Reason,
    echo: Echo,
}

const _: () = assert!(core::mem::size_of::<ApiError>() <= 64);

impl ApiError {
    /// An error of one cause, with no parameter, detail or hint.
    pub const fn new(cause: Cause) -> ApiError {
        ApiError {
            cause,
            name: Name::None,
            hints: Hints::NONE,
            reason: Reason::None,
            echo: Echo::EMPTY,
        }
    }

    /// Names the parameter at fault.
    #[must_use]
    pub const fn with_parameter(mut self, param: Param) -> ApiError {
        self.name = Name::Param(param);
        self
    }

    /// Names a parameter that is not in [`Param`]'s table, copying the
    /// name (cut, with `…`, past [`QUOTE_MAX_BYTES`]); an empty name names
    /// none.
    ///
    /// ```
    /// use aliyun_sg_egress::error::{ApiError, Cause};
    /// let e = ApiError::new(Cause::InvalidParameter).with_parameter_name("Format");
    /// assert_eq!(e.parameter(), Some("Format"));
    /// assert_eq!(e.to_string(), "The specified parameter \"Format\" is not valid.");
    /// ```
    #[must_use]
    pub fn with_parameter_name(mut self, name: &str) -> ApiError {
        if name.is_empty() {
            self.name = Name::None;
        } else {
            self.name = Name::Quoted;
            self.echo = Echo::new(&[name]);
        }
        self
    }

    /// Names the parameter inside permission `at`: an error naming a
    /// parameter of the table (`IpProtocol`) names it as the permission's
    /// field (`Permissions.3.IpProtocol`) in [`ApiError::parameter`], the
    /// detail, and a message with a name slot. The flat form, and an error
    /// naming no parameter of the table, are left as they are. Quoted
    /// values make room for the name (cut with `…`).
    ///
    /// ```
    /// use aliyun_sg_egress::error::{ApiError, Cause};
    /// use aliyun_sg_egress::request::{Param, PermissionName};
    /// let e = ApiError::new(Cause::InvalidParameter)
    ///     .with_parameter(Param::DestGroupOwnerId)
    ///     .in_permission(PermissionName::Numbered(3));
    /// assert_eq!(e.parameter(), Some("Permissions.3.DestGroupOwnerId"));
    /// assert_eq!(e.to_string(), "The specified parameter \"Permissions.3.DestGroupOwnerId\" is not valid.");
    /// ```
    #[must_use]
    pub fn in_permission(self, at: PermissionName) -> ApiError {
        match (self.name, at) {
            (Name::Param(param), PermissionName::Numbered(n)) => {
                let mut name = NameBuffer::new();
                // 37 bytes at most (`Permissions.100.DestGroupOwnerAccount`).
                let _ = write!(name, "Permissions.{n}.{param}");
                self.indexed(param, name.as_str())
            }
            _ => self,
        }
    }

    /// Names `SecurityGroupRuleId.N`.
    #[must_use]
    pub(crate) fn on_rule_id(self, n: u8) -> ApiError {
        let mut name = NameBuffer::new();
        let _ = write!(name, "SecurityGroupRuleId.{n}");
        self.indexed(Param::SecurityGroupRuleId, name.as_str())
    }

    /// Names `name` (a table parameter inside a list), keeping the texts
    /// quoted so far after it.
    fn indexed(mut self, param: Param, name: &str) -> ApiError {
        let old = self.echo;
        self.echo = Echo::named(name, &[old.get(0), old.get(1), old.get(2)]);
        self.name = Name::Indexed(param);
        self
    }

    /// Adds hints.
    #[must_use]
    pub const fn with_hints(mut self, hints: Hints) -> ApiError {
        self.hints = self.hints.union(hints);
        self
    }

    /// Names the query string itself as the parameter at fault.
    #[must_use]
    pub(crate) const fn on_query_string(mut self) -> ApiError {
        self.name = Name::QueryString;
        self
    }

    /// Names an unknown parameter as given (cut, not UTF-8 replaced).
    #[must_use]
    pub(crate) fn with_raw_name(mut self, raw: &[u8]) -> ApiError {
        self.name = Name::Quoted;
        self.echo = Echo::lossy(raw);
        self
    }

    /// Says why, for the detail.
    #[must_use]
    pub(crate) const fn because(mut self, reason: Reason) -> ApiError {
        self.reason = reason;
        self
    }

    /// Quotes `texts` in the detail (the value at fault, or ids), in the
    /// order the reason writes them.
    #[must_use]
    pub(crate) fn quoting(mut self, texts: &[&str]) -> ApiError {
        let old = self.echo;
        self.echo = match self.name {
            Name::Indexed(_) => Echo::named(old.get(0), texts),
            _ => Echo::new(texts),
        };
        self
    }

    /// The documented cause.
    pub const fn cause(&self) -> Cause {
        self.cause
    }

    /// The HTTP status.
    pub const fn status(&self) -> u16 {
        self.cause.status()
    }

    /// The `Code` field.
    pub const fn code(&self) -> &'static str {
        self.cause.code()
    }

    /// The parameter at fault, if the error names one.
    pub fn parameter(&self) -> Option<&str> {
        match self.name {
            Name::None => None,
            Name::Param(param) => Some(param.name()),
            Name::QueryString => Some(QUERY_STRING),
            Name::Quoted | Name::Indexed(_) => Some(self.echo.get(0)),
        }
    }

    /// Quoted text `i` of the reason (after the name, when the name is
    /// among the quoted texts).
    fn quoted(&self, i: usize) -> &str {
        match self.name {
            Name::Indexed(_) => self.echo.get(i + 1),
            _ => self.echo.get(i),
        }
    }

    /// A detail in words (which value, what is wrong), written when
    /// displayed; empty when the error has none. The values it quotes share
    /// [`QUOTE_MAX_BYTES`] (cut with `…`).
    pub const fn detail(&self) -> Detail<'_> {
        Detail(self)
    }

    /// Hints for the caller; they never change the code.
    pub const fn hints(&self) -> Hints {
        self.hints
    }

    /// Writes the message (as `Display` does) into any writer: the bodies
    /// write it through their escapers, a few `write_str`s for most codes.
    pub(crate) fn write_message<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        match self.cause.parts() {
            Parts::Detail(after) if self.detail().is_empty() => {
                out.write_str(self.code())?;
                out.write_str(after)
            }
            Parts::Detail(after) => write!(out, "{}{after}", self.detail()),
            Parts::Text(text) => out.write_str(text),
            Parts::Name(before, after) => {
                out.write_str(before)?;
                out.write_str(self.parameter().unwrap_or(""))?;
                out.write_str(after)
            }
        }
    }

    /// The closest rule, when the request named none.
    pub const fn near_miss(&self) -> Option<NearMiss> {
        match self.reason {
            Reason::NoRuleWithKey { rule, differs } => Some(NearMiss {
                rule_index: rule as usize,
                differs,
            }),
            _ => None,
        }
    }
}

/// Room for an indexed parameter name (`Permissions.100.DestGroupOwnerAccount`).
struct NameBuffer {
    bytes: [u8; echo::ECHO_BYTES],
    len: usize,
}

impl NameBuffer {
    const fn new() -> Self {
        NameBuffer {
            bytes: [0; echo::ECHO_BYTES],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl fmt::Write for NameBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// An error's detail (see [`ApiError::detail`]); `Display` writes it.
#[derive(Clone, Copy, Debug)]
pub struct Detail<'a>(&'a ApiError);

impl Detail<'_> {
    /// Whether the error has no detail.
    pub const fn is_empty(&self) -> bool {
        matches!(self.0.reason, Reason::None)
    }
}

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        reason::write_detail(self.0, f)
    }
}

/// The `Message` field: the catalogue's text with `<name>` and `%s` filled.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_message(f)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("cause", &self.cause)
            .field("parameter", &self.parameter())
            .field("detail", &format_args!("{}", self.detail()))
            .field("hints", &self.hints)
            .field("near_miss", &self.near_miss())
            .finish()
    }
}

impl core::error::Error for ApiError {}

impl From<Cause> for ApiError {
    fn from(cause: Cause) -> Self {
        ApiError::new(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::IpProtocol;
    use std::prelude::rust_2024::*;

    #[test]
    fn fills_placeholders() {
        let e = ApiError::new(Cause::InvalidParameter).with_parameter(Param::ClientToken);
        assert_eq!(
            e.to_string(),
            "The specified parameter \"ClientToken\" is not valid."
        );
        let e = ApiError::new(Cause::IllegalIpv6Cidr)
            .with_parameter(Param::Ipv6DestCidrIp)
            .because(Reason::Ipv6Cidr(crate::cidr::InvalidCidr::WrongFamily))
            .quoting(&["x"]);
        assert_eq!(e.to_string(), e.detail().to_string());
        assert!(
            e.to_string()
                .starts_with("Ipv6DestCidrIp \"x\" is not an IPv6")
        );
        assert_eq!(
            ApiError::new(Cause::IllegalIpv6Cidr).to_string(),
            "ILLEGAL_IPV6_CIDR"
        );
        let e = ApiError::new(Cause::SecurityGroupRuleNotFound)
            .because(Reason::NoRules)
            .quoting(&["sg-1"]);
        assert_eq!(
            e.to_string(),
            "The target security group rule do not exist."
        );
        assert_eq!(e.detail().to_string(), "group sg-1 has no egress rules");
    }

    #[test]
    fn cuts_long_names_and_values_at_char_boundaries() {
        let long = "名".repeat(100);
        let e = ApiError::new(Cause::InvalidParameter).with_parameter_name(&long);
        assert!(e.parameter().unwrap().ends_with('…'));
        assert!(e.parameter().unwrap().len() <= QUOTE_MAX_BYTES);
        let e = ApiError::new(Cause::InvalidPolicyMalformed)
            .with_parameter(Param::Policy)
            .because(Reason::Policy)
            .quoting(&[&long]);
        let detail = e.detail().to_string();
        assert!(detail.starts_with("Policy \"名名"), "{detail}");
        assert!(
            detail.ends_with("…\" is neither accept nor drop"),
            "{detail}"
        );
        assert_eq!(ApiError::new(Cause::InternalError).parameter(), None);
        let unnamed = ApiError::new(Cause::InvalidParameter).with_parameter_name("");
        assert_eq!(unnamed.parameter(), None);
        assert!(ApiError::new(Cause::InternalError).detail().is_empty());
    }

    #[test]
    fn debug_shows_the_rendered_fields() {
        let e = ApiError::new(Cause::InvalidParamPortRange)
            .with_parameter(Param::PortRange)
            .because(Reason::PortRange {
                protocol: IpProtocol::Tcp,
                error: crate::port::InvalidPortRange::Syntax,
            })
            .quoting(&["a\"b"]);
        assert_eq!(
            format!("{e:?}"),
            "ApiError { cause: InvalidParamPortRange, parameter: Some(\"PortRange\"), \
             detail: PortRange \"a\"b\" for tcp: port range must be two integers \
             separated by '/', hints: Hints(0), near_miss: None }"
        );
    }
}
