//! Binding errors are one sentence that says what to do; a client's host resolves.

use common::net::{BindError, bind_tcp, bind_udp, resolve};

#[tokio::test]
async fn port_in_use_names_the_port_and_the_fix() {
    let taken = bind_tcp("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = taken.local_addr().unwrap();

    let error = bind_tcp(addr).await.unwrap_err();
    assert!(
        matches!(error, BindError::InUse(a) if a == addr),
        "{error:?}"
    );
    let text = error.to_string();
    let port = addr.port();
    assert!(
        text.contains(&format!("port {port} is already in use")),
        "{text}"
    );
    assert!(text.contains(&format!("lsof -i :{port}")), "{text}");
    assert!(text.contains("--port"), "{text}");
    assert!(!text.contains('\n'), "one line: {text}");
}

#[tokio::test]
async fn udp_port_in_use_is_explained_too() {
    let taken = bind_udp("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = taken.local_addr().unwrap();
    let error = bind_udp(addr).await.unwrap_err();
    assert!(matches!(error, BindError::InUse(_)), "{error:?}");
}

#[tokio::test]
async fn an_address_of_another_machine_is_explained() {
    // 192.0.2.1 is TEST-NET-1: never an address of this machine. Binding
    // sends nothing anywhere.
    let addr = "192.0.2.1:0".parse().unwrap();
    let error = bind_tcp(addr).await.unwrap_err();
    assert!(matches!(error, BindError::NotLocal(_)), "{error:?}");
    assert!(error.to_string().contains("--host"), "{error}");
}

#[test]
fn a_privileged_port_says_what_to_do() {
    let addr = "127.0.0.1:80".parse().unwrap();
    let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    let text = BindError::explain(addr, denied).to_string();
    assert!(
        text.starts_with("permission denied to listen on port 80"),
        "{text}"
    );
    assert!(text.contains("from 1024 up with --port"), "{text}");
}

#[tokio::test]
async fn a_client_host_may_be_an_address_or_localhost() {
    assert_eq!(
        resolve("127.0.0.1", 8124).await,
        Ok("127.0.0.1:8124".parse().unwrap())
    );
    let localhost = resolve("localhost", 8124).await.unwrap();
    assert!(localhost.ip().is_loopback(), "{localhost}");
    assert_eq!(localhost.port(), 8124);
}
