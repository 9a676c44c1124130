//! Writing a request back as a query string (for clients, tests and
//! fuzzing): the inverse of [`RequestParser::parse`](super::RequestParser::parse).

use core::fmt::{self, Write};

use super::{ACTION, Destination, ModifyEgressRequest, Source};

/// Percent-encodes the displayed text of a value: everything but RFC
/// 3986's unreserved characters, as Alibaba Cloud's signature scheme does.
struct Encoded<T>(T);

impl<T: fmt::Display> fmt::Display for Encoded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Escape<'f, 'g>(&'f mut fmt::Formatter<'g>);
        impl Write for Escape<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for b in s.bytes() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                        self.0.write_char(char::from(b))?;
                    } else {
                        write!(self.0, "%{b:02X}")?;
                    }
                }
                Ok(())
            }
        }
        write!(Escape(f), "{}", self.0)
    }
}

impl ModifyEgressRequest<'_> {
    /// Writes the request as an RPC query string (with `Action`), every
    /// value percent-encoded; parsing the result gives back an equal request
    /// (hints aside, which come from parameters this type does not hold).
    ///
    /// # Errors
    ///
    /// Only those of the writer.
    ///
    /// ```
    /// use aliyun_sg_egress::request::RequestParser;
    /// let q = "RegionId=cn-hangzhou&SecurityGroupId=sg-1&IpProtocol=tcp&PortRange=22/22&DestCidrIp=10.0.0.1";
    /// let mut parser = RequestParser::new();
    /// let req = parser.parse(q).unwrap();
    /// let mut out = String::new();
    /// req.write_query(&mut out).unwrap();
    /// assert_eq!(out, "Action=ModifySecurityGroupEgressRule&RegionId=cn-hangzhou&SecurityGroupId=sg-1\
    ///                  &IpProtocol=tcp&PortRange=22%2F22&Policy=accept&DestCidrIp=10.0.0.1");
    /// assert_eq!(RequestParser::new().parse(&out).unwrap(), req);
    /// ```
    pub fn write_query<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        write!(out, "Action={ACTION}")?;
        write!(out, "&RegionId={}", Encoded(self.region_id()))?;
        let group_id = Encoded(self.security_group_id());
        write!(out, "&SecurityGroupId={group_id}")?;
        write!(out, "&IpProtocol={}", self.protocol())?;
        write!(out, "&PortRange={}", Encoded(self.port_range()))?;
        if let Some(range) = self.source_port_range() {
            write!(out, "&SourcePortRange={}", Encoded(range))?;
        }
        if let Some(nic) = self.nic_type() {
            write!(out, "&NicType={nic}")?;
        }
        write!(out, "&Policy={}", self.policy())?;
        if let Some(priority) = self.priority() {
            write!(out, "&Priority={priority}")?;
        }
        if let Some(description) = self.description() {
            write!(out, "&Description={}", Encoded(description))?;
        }
        if let Some(token) = self.client_token() {
            write!(out, "&ClientToken={}", Encoded(token))?;
        }
        match self.destination() {
            Destination::Ipv4(v4) => write!(out, "&DestCidrIp={}", Encoded(v4))?,
            Destination::Ipv6(v6) => write!(out, "&Ipv6DestCidrIp={}", Encoded(v6))?,
            Destination::Group(group) => {
                write!(out, "&DestGroupId={}", Encoded(group.id))?;
                if let Some(account) = group.owner_account {
                    write!(out, "&DestGroupOwnerAccount={}", Encoded(account))?;
                }
                if let Some(id) = group.owner_id {
                    write!(out, "&DestGroupOwnerId={id}")?;
                }
            }
            Destination::PrefixList(id) => write!(out, "&DestPrefixListId={}", Encoded(id))?,
        }
        match self.source() {
            Some(Source::Ipv4(v4)) => write!(out, "&SourceCidrIp={}", Encoded(&v4))?,
            Some(Source::Ipv6(v6)) => write!(out, "&Ipv6SourceCidrIp={}", Encoded(&v6))?,
            None => {}
        }
        Ok(())
    }
}
