//! Fault injection as `make run FAULTS=...` offers it: off until asked, shown and
//! changed at `/_local/faults`, a kill answering 502 as API Gateway does.

use platform_tests::Runner;
use serde_json::{Value, json};

async fn send(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn faults_are_shown_changed_and_injected_at_the_control_endpoint() {
    let template = platform_tests::workspace_root().join("infra/local-runner/tests/fixtures/template.yaml");
    let runner = Runner::start_with(
        std::path::Path::new(env!("CARGO_BIN_EXE_local-runner")),
        &template,
        &["--faults", "drop=0.25,delay=5"],
    );
    let faults = format!("{}/_local/faults", runner.url);
    let (status, shown) = send(reqwest::Method::GET, &faults, None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["spec"], json!({"kill": 0.0, "drop": 0.25, "delay": 5}), "the --faults spec: {shown}");

    // Every invocation killed: the caller sees API Gateway's 502.
    let (status, _) = send(reqwest::Method::PUT, &faults, Some(json!({"kill": 1.0}))).await;
    assert_eq!(status, 200);
    let (status, body) = send(reqwest::Method::GET, &format!("{}/echo/x", runner.url), None).await;
    assert_eq!(status, 502, "{body}");
    let (_, shown) = send(reqwest::Method::GET, &faults, None).await;
    assert!(shown["injected"]["kills"].as_u64().unwrap() >= 1, "{shown}");
    assert!(runner.output().contains("instance killed by fault injection"));

    // A misspelt fault is refused; `{}` turns them all off.
    let (status, body) = send(reqwest::Method::PUT, &faults, Some(json!({"kil": 1.0}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send(reqwest::Method::PUT, &faults, Some(json!({"kill": 2.0}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, shown) = send(reqwest::Method::PUT, &faults, Some(json!({}))).await;
    assert_eq!((status, &shown["spec"]), (200, &json!({"kill": 0.0, "drop": 0.0, "delay": 0})));
    let (status, body) = send(reqwest::Method::GET, &format!("{}/echo/x", runner.url), None).await;
    assert_eq!(status, 200, "faults off: {body}");
}
