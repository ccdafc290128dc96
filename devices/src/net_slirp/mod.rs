//! A [`NetBackend`] on libslirp, QEMU's user-mode network stack
//! (`--netdev user`): the guest sees a NAT'd network with QEMU's defaults —
//! network 10.0.2.0/24, gateway and host 10.0.2.2, DNS 10.0.2.3, DHCP handing
//! out 10.0.2.15 onwards. `hostfwd` rules forward a port of the host's
//! loopback address (127.0.0.1 only, never another address) to the guest.
//!
//! libslirp is single-threaded and driven by its caller's poll loop, so one
//! host thread owns the slirp instance: it polls slirp's sockets together
//! with the receiving end of a datagram socket pair on which the device sends
//! the guest's frames, runs slirp's timers, and hands frames slirp sends to
//! the guest to the device's [`NetRx`].

use std::net::Ipv4Addr;

pub const NETWORK: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 0);
pub const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
pub const HOST: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
pub const DNS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 3);
pub const DHCP_START: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// The only host address forwarded ports are bound to.
pub const HOSTFWD_ADDR: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// One `hostfwd` rule: 127.0.0.1:`host_port` on the host to
/// `guest_addr`:`guest_port` in the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFwd {
    pub udp: bool,
    pub host_port: u16,
    pub guest_addr: Ipv4Addr,
    pub guest_port: u16,
}

/// `--netdev user[,hostfwd=...]...`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlirpOptions {
    pub hostfwd: Vec<HostFwd>,
}

impl SlirpOptions {
    /// Parses `user[,hostfwd=[tcp|udp]:[127.0.0.1]:HOSTPORT-[GUESTADDR]:GUESTPORT]...`
    /// (QEMU's syntax; the guest address defaults to 10.0.2.15).
    pub fn parse(spec: &str) -> Result<SlirpOptions, String> {
        let mut parts = spec.split(',');
        match parts.next() {
            Some("user") => {}
            Some(other) => {
                return Err(format!("unsupported netdev type '{other}' (only 'user' is supported)"));
            }
            None => return Err("empty netdev".into()),
        }
        let mut opts = SlirpOptions::default();
        for p in parts {
            match p.split_once('=') {
                Some(("hostfwd", rule)) => opts.hostfwd.push(parse_hostfwd(rule)?),
                Some(("id", _)) => {}
                _ => {
                    return Err(format!(
                        "unknown netdev user option '{p}' (supported: hostfwd=tcp::HOSTPORT-:GUESTPORT)"
                    ))
                }
            }
        }
        Ok(opts)
    }
}

fn parse_hostfwd(rule: &str) -> Result<HostFwd, String> {
    let bad = || format!("bad hostfwd rule '{rule}' (expected [tcp|udp]:[127.0.0.1]:HOSTPORT-[GUESTADDR]:GUESTPORT)");
    let (host, guest) = rule.split_once('-').ok_or_else(bad)?;
    let mut h = host.split(':');
    let (proto, haddr, hport) = match (h.next(), h.next(), h.next(), h.next()) {
        (Some(p), Some(a), Some(port), None) => (p, a, port),
        _ => return Err(bad()),
    };
    let udp = match proto {
        "" | "tcp" => false,
        "udp" => true,
        _ => return Err(format!("hostfwd protocol '{proto}' is not tcp or udp")),
    };
    if !haddr.is_empty() && haddr.parse::<Ipv4Addr>() != Ok(HOSTFWD_ADDR) {
        return Err(format!("hostfwd host address '{haddr}': forwarded ports are bound to 127.0.0.1 only"));
    }
    let (gaddr, gport) = guest.split_once(':').ok_or_else(bad)?;
    let guest_addr = if gaddr.is_empty() {
        DHCP_START
    } else {
        gaddr.parse().map_err(|_| format!("bad hostfwd guest address '{gaddr}'"))?
    };
    let port = |s: &str| s.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| format!("bad port '{s}' in hostfwd"));
    Ok(HostFwd { udp, host_port: port(hport)?, guest_addr, guest_port: port(gport)? })
}

#[cfg(feature = "slirp")]
mod backend;
#[cfg(feature = "slirp")]
pub use backend::SlirpBackend;

/// Stand-in when xlate is built without libslirp: `--netdev user` fails with
/// instructions instead of the build needing libslirp everywhere.
#[cfg(not(feature = "slirp"))]
pub struct SlirpBackend;

#[cfg(not(feature = "slirp"))]
impl SlirpBackend {
    pub fn new(_opts: SlirpOptions) -> SlirpBackend {
        SlirpBackend
    }
}

#[cfg(not(feature = "slirp"))]
impl crate::virtio::net::NetBackend for SlirpBackend {
    fn start(&mut self, _rx: crate::virtio::net::NetRx) -> std::io::Result<()> {
        Err(std::io::Error::other(
            "this xlate was built without user networking; install libslirp-dev, libglib2.0-dev and \
             pkg-config, then build with `cargo build --release --features slirp`",
        ))
    }
    fn send(&mut self, _frame: &[u8]) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_netdev_specs() {
        assert_eq!(SlirpOptions::parse("user").unwrap(), SlirpOptions::default());
        let o = SlirpOptions::parse("user,hostfwd=tcp::5555-:8080,hostfwd=udp:127.0.0.1:53-10.0.2.16:53").unwrap();
        assert_eq!(
            o.hostfwd,
            vec![
                HostFwd { udp: false, host_port: 5555, guest_addr: DHCP_START, guest_port: 8080 },
                HostFwd { udp: true, host_port: 53, guest_addr: Ipv4Addr::new(10, 0, 2, 16), guest_port: 53 },
            ]
        );
        assert!(SlirpOptions::parse("tap,ifname=tap0").unwrap_err().contains("only 'user'"));
        assert!(SlirpOptions::parse("user,hostfwd=tcp:0.0.0.0:80-:80").unwrap_err().contains("127.0.0.1"));
        assert!(SlirpOptions::parse("user,hostfwd=sctp::1-:2").is_err());
        assert!(SlirpOptions::parse("user,hostfwd=tcp::99999-:2").is_err());
        assert!(SlirpOptions::parse("user,hostfwd=tcp::80:80").is_err());
        assert!(SlirpOptions::parse("user,net=10.1.0.0/24").is_err());
    }
}
