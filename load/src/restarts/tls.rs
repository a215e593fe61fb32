//! TLS to nginx as a browser would speak it: the test certificate as the only root, the name
//! in the URL checked against it, each connection from the next loopback source address.
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// Where nginx listens and the name its certificate is for.
#[derive(Clone)]
pub struct Front {
    pub addr: SocketAddr,
    /// `localhost:8443`: the `Host` of every request.
    pub host: String,
    name: ServerName<'static>,
    connector: TlsConnector,
}

impl Front {
    /// `url` is `https://NAME:PORT`; `ca` the PEM file of the certificate nginx serves.
    pub fn new(url: &str, ca: &str) -> Front {
        let host = url
            .strip_prefix("https://")
            .expect("--through https://NAME:PORT")
            .trim_end_matches('/')
            .to_string();
        let (name, port) = host.rsplit_once(':').expect("a port in --through");
        let port: u16 = port.parse().expect("a port number");
        let addr = std::net::ToSocketAddrs::to_socket_addrs(&(name, port))
            .expect("resolve --through")
            .find(SocketAddr::is_ipv4)
            .expect("an IPv4 address for --through");
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca).expect("read --ca") {
            roots.add(cert.expect("a PEM certificate")).expect("a root");
        }
        let config = ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Front {
            addr,
            name: ServerName::try_from(name.to_string()).expect("a server name"),
            host,
            connector: TlsConnector::from(Arc::new(config)),
        }
    }

    /// A TLS connection to nginx (HTTP/1.1: no ALPN is offered).
    pub async fn connect(&self) -> io::Result<TlsStream<TcpStream>> {
        let tcp = crate::client::try_tcp(self.addr).await?;
        let tls = self.connector.connect(self.name.clone(), tcp);
        tokio::time::timeout(crate::WAIT, tls).await?
    }
}
