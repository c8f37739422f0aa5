//! A multicast group address: checked once, when it is parsed.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use common::lang::Lang;
use rust_i18n::t;

/// The seed's group, kept as the default so that the code matches the
/// seed's (and the lesson stays on loopback with a TTL of 1). It lies in
/// 224.0.1.0/24, RFC 5771's internetwork control block, whose addresses
/// IANA assigns to protocols; on a real LAN choose one in 239.0.0.0/8, the
/// block for a site's own use (`--group 239.255.0.100`).
pub const SEED_GROUP: Group = Group(Ipv4Addr::new(224, 0, 1, 100));

// ANCHOR: group
/// An IPv4 multicast group: an address in 224.0.0.0/4 (224.0.0.0 to
/// 239.255.255.255). A `Group` can only be made from such an address, so
/// every function that takes one knows it is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group(Ipv4Addr);

/// An address that is not a multicast group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(Lang::En))]
pub struct NotMulticast(pub Ipv4Addr);

impl NotMulticast {
    /// The sentence in `lang` (`Display` is the English one).
    pub fn message(&self, lang: Lang) -> String {
        t!("group.not_multicast", locale = lang.code(), addr = self.0).into_owned()
    }
}

impl Group {
    pub fn new(addr: Ipv4Addr) -> Result<Self, NotMulticast> {
        if addr.is_multicast() {
            Ok(Self(addr))
        } else {
            Err(NotMulticast(addr))
        }
    }

    pub fn addr(self) -> Ipv4Addr {
        self.0
    }
}
// ANCHOR_END: group

impl Group {
    /// Parses `224.0.1.100`, or says in `lang` why `text` is no group.
    pub fn parse(text: &str, lang: Lang) -> Result<Self, String> {
        let shown = format!("{text:?}");
        let addr: Ipv4Addr = text
            .parse()
            .map_err(|_| t!("group.not_ipv4", locale = lang.code(), text = shown).into_owned())?;
        Group::new(addr).map_err(|error| error.message(lang))
    }
}

impl FromStr for Group {
    type Err = String;

    /// Parses `224.0.1.100`, with an English error ([`Group::parse`] takes
    /// a language).
    fn from_str(text: &str) -> Result<Self, String> {
        Group::parse(text, Lang::En)
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
