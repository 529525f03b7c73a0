//! The runner, driven as a client would drive it, against moto and the fixture
//! functions of `tests/fixtures/template.yaml`.

use base64::Engine;
use platform_tests::Runner;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static RUNNER: OnceLock<Runner> = OnceLock::new();

fn runner() -> &'static Runner {
    platform_tests::shared(&RUNNER, || {
        let template = platform_tests::workspace_root().join("infra/local-runner/tests/fixtures/template.yaml");
        Runner::start_with(std::path::Path::new(env!("CARGO_BIN_EXE_local-runner")), &template, &[])
    })
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

async fn get_json(path: &str) -> (u16, Value) {
    let response = client().get(format!("{}{path}", runner().url)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn path_and_query_parameters_reach_the_function() {
    let (status, body) = get_json("/echo/r%C3%A9mi?x=1&x=2&q=a+b").await;
    assert_eq!(status, 200);
    let event = &body["event"];
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "ANY /echo/{name}");
    assert_eq!(event["rawPath"], "/echo/r%C3%A9mi");
    assert_eq!(event["rawQueryString"], "x=1&x=2&q=a+b");
    assert_eq!(event["pathParameters"], json!({"name": "rémi"}));
    assert_eq!(event["queryStringParameters"], json!({"x": "1,2", "q": "a b"}));
    assert_eq!(event["requestContext"]["http"]["method"], "GET");
    assert_eq!(event["requestContext"]["http"]["sourceIp"], "127.0.0.1");
    assert!(event["requestContext"]["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    // The template's environment, resolved: a parameter and a queue URL in moto.
    assert_eq!(body["env"]["STAGE"], "fixture");
    assert!(body["env"]["QUEUE_URL"].as_str().unwrap().ends_with("/123456789012/local-OutputQueue"));
    assert_eq!(body["functionName"], "local-EchoFunction");
}

#[tokio::test]
async fn lambda_http_parses_the_events_the_runner_builds() {
    let response = client()
        .post(format!("{}/items/42?tag=a&tag=b", runner().url))
        .header("content-type", "application/octet-stream")
        .body(vec![0u8, 159, 146, 150, 255])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["method"], "POST");
    assert_eq!(body["pathParameters"], json!({"id": "42"}));
    assert_eq!(body["query"], json!([["tag", "a"], ["tag", "b"]]));
    assert_eq!(body["bodyBytes"], json!([0, 159, 146, 150, 255]), "a binary body arrives base64 and is decoded intact");

    let (status, greedy) = get_json("/files/a/b/c.txt").await;
    assert_eq!(status, 200);
    assert_eq!(greedy["pathParameters"], json!({"proxy": "a/b/c.txt"}));
}

#[tokio::test]
async fn text_bodies_and_cookies_travel_as_api_gateway_sends_them() {
    let response = client()
        .put(format!("{}/echo/x", runner().url))
        .header("content-type", "application/json")
        .header("cookie", "session=abc; theme=dark")
        .body(r#"{"hello":"world"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookies: Vec<_> =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert_eq!(cookies, vec!["a=1; Path=/", "b=2; Path=/"]);
    assert_eq!(response.headers()["x-fixture"], "echo");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["event"]["body"], r#"{"hello":"world"}"#);
    assert_eq!(body["event"]["isBase64Encoded"], false);
    assert_eq!(body["event"]["cookies"], json!(["session=abc", "theme=dark"]));
}

#[tokio::test]
async fn base64_responses_are_decoded() {
    let response = client().get(format!("{}/echo/x?binary=1", runner().url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/octet-stream");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), base64::engine::general_purpose::STANDARD.decode("AAECAwT/").unwrap().as_slice());
}

#[tokio::test]
async fn non_2xx_responses_pass_through() {
    let (status, body) = get_json("/echo/x?status=418").await;
    assert_eq!(status, 418);
    assert_eq!(body["event"]["rawPath"], "/echo/x");
}

#[tokio::test]
async fn a_response_without_status_code_is_a_200_json_body() {
    let response = client().get(format!("{}/echo/x?raw=1", runner().url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["event"]["rawPath"], "/echo/x");
}

#[tokio::test]
async fn unknown_routes_are_404_json() {
    let (status, body) = get_json("/no/such/route").await;
    assert_eq!(status, 404);
    assert_eq!(body, json!({"message": "Not Found"}));
    let response = client().delete(format!("{}/crash", runner().url)).send().await.unwrap();
    assert_eq!(response.status(), 404, "the route exists only for GET");
}

#[tokio::test]
async fn a_function_error_is_a_502() {
    let (status, body) = get_json("/echo/x?error=1").await;
    assert_eq!(status, 502);
    assert_eq!(body, json!({"message": "Internal Server Error"}));
}

#[tokio::test]
async fn a_crashed_instance_gives_502_and_is_replaced() {
    let (status, body) = get_json("/crash?crash=1").await;
    assert_eq!(status, 502);
    assert_eq!(body, json!({"message": "Internal Server Error"}));
    let (status, body) = get_json("/crash").await;
    assert_eq!(status, 200, "a new instance serves the next request");
    assert!(body["pid"].as_u64().is_some());
}

#[tokio::test]
async fn a_timeout_gives_504_and_the_next_call_works() {
    let (status, body) = get_json("/slow?sleep_ms=3000").await;
    assert_eq!(status, 504);
    assert_eq!(body, json!({"message": "Endpoint request timed out"}));
    let (status, _) = get_json("/slow").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn overlapping_requests_are_served_by_several_instances_within_the_limit() {
    // EchoFunction has ReservedConcurrentExecutions: 3.
    let calls = (0..6).map(|_| async { get_json("/echo/concurrent?sleep_ms=700").await });
    let results = futures::future::join_all(calls).await;
    let mut pids = HashSet::new();
    for (status, body) in results {
        assert_eq!(status, 200);
        pids.insert(body["pid"].as_u64().unwrap());
    }
    assert!(pids.len() >= 2, "overlapping requests should start more than one instance, saw {pids:?}");
    assert!(pids.len() <= 3, "the function's limit is 3 instances, saw {}", pids.len());
}

#[tokio::test]
async fn every_invocation_logs_a_report_line() {
    let (status, body) = get_json("/echo/report").await;
    assert_eq!(status, 200);
    let request_id = body["requestId"].as_str().unwrap().to_owned();
    let needle = format!("REPORT RequestId: {request_id}");
    assert!(runner().wait_for_output(&needle, Duration::from_secs(5)), "no REPORT line for {request_id}");
    let output = runner().output();
    let line = output.lines().find(|l| l.contains(&needle)).unwrap();
    for field in ["Duration: ", "Billed Duration: ", "Memory Size: 128 MB", "Max Memory Used: "] {
        assert!(line.contains(field), "{field:?} missing from {line}");
    }
    assert!(output.contains("Init Duration: "), "a cold start reports its init duration");
}

#[tokio::test]
async fn stopping_a_function_makes_its_next_invocation_a_cold_start() {
    let (_, first) = get_json("/cold").await;
    let (_, warm) = get_json("/cold").await;
    assert_eq!(first["pid"], warm["pid"], "an idle instance serves the next request");
    assert_eq!(first["env"]["_HANDLER"], "cold", "the function's Handler reaches the process");
    let stop = client().post(format!("{}/_local/functions/ColdFunction/stop", runner().url)).send().await.unwrap();
    assert_eq!(stop.status(), 200);
    assert_eq!(stop.json::<Value>().await.unwrap(), json!({"stopped": 1}));
    let (_, cold) = get_json("/cold").await;
    assert_ne!(cold["pid"], first["pid"], "a new process after the stop");
    let needle = format!("REPORT RequestId: {}", cold["requestId"].as_str().unwrap());
    assert!(runner().wait_for_output(&needle, Duration::from_secs(5)));
    let output = runner().output();
    let report = output.lines().find(|l| l.contains(&needle)).unwrap();
    assert!(report.contains("Init Duration: "), "the new process reports its init: {report}");

    let missing = client().post(format!("{}/_local/functions/Nope/stop", runner().url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_schedule_can_be_triggered_now() {
    let response =
        client().post(format!("{}/_local/schedules/EchoFunction.Nightly", runner().url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let event = &body["event"];
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["source"], "aws.events");
    assert_eq!(event["account"], "123456789012");
    assert!(event["resources"][0].as_str().unwrap().starts_with("arn:aws:events:us-east-1:123456789012:rule/"));
    let _: aws_lambda_events::eventbridge::EventBridgeEvent<Value> = serde_json::from_value(event.clone()).unwrap();

    let missing = client().post(format!("{}/_local/schedules/Nope", runner().url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_runner_describes_what_it_serves() {
    let (status, body) = get_json("/_local").await;
    assert_eq!(status, 200);
    let routes: Vec<&str> = body["routes"].as_array().unwrap().iter().map(|r| r["route"].as_str().unwrap()).collect();
    assert!(routes.contains(&"POST /items/{id}"));
    assert_eq!(body["schedules"][0]["timezone"], "Europe/Paris");
    assert_eq!(body["eventSources"][0]["reportBatchItemFailures"], true);
}

#[tokio::test]
async fn unknown_resource_types_are_warned_about_by_name() {
    let runner = runner();
    assert!(
        runner.wait_for_output("UnemulatedTopic has type AWS::SNS::Topic", Duration::from_secs(5)),
        "expected a warning naming the resource:\n{}",
        runner.output()
    );
}

async fn receive_all(sqs: &aws_sdk_sqs::Client, url: &str, want: usize, timeout: Duration) -> Vec<String> {
    let started = Instant::now();
    let mut bodies = Vec::new();
    while bodies.len() < want && started.elapsed() < timeout {
        let out =
            sqs.receive_message().queue_url(url).max_number_of_messages(10).wait_time_seconds(1).send().await.unwrap();
        for message in out.messages.unwrap_or_default() {
            bodies.push(message.body.clone().unwrap_or_default());
            sqs.delete_message().queue_url(url).receipt_handle(message.receipt_handle.unwrap()).send().await.unwrap();
        }
    }
    bodies
}

#[tokio::test]
async fn sqs_partial_batch_failure_and_redrive_to_the_dlq() {
    let runner = runner();
    let sqs = aws_sdk_sqs::Client::new(&runner.sdk_config().await);
    let url = |name: &str| format!("{}/123456789012/local-{name}", runner.moto);
    let entries = ["ok-1", "fail-1", "ok-2"]
        .iter()
        .enumerate()
        .map(|(i, body)| {
            aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(*body)
                .build()
                .unwrap()
        })
        .collect();
    sqs.send_message_batch().queue_url(url("InputQueue")).set_entries(Some(entries)).send().await.unwrap();

    let mut processed = receive_all(&sqs, &url("OutputQueue"), 2, Duration::from_secs(20)).await;
    processed.sort();
    assert_eq!(processed, vec!["ok-1", "ok-2"], "the successful messages are processed once each");

    // fail-1 is reported failed on each delivery; after maxReceiveCount (2) receives moto
    // moves it to the DLQ: about 10 s (two visibility timeouts of 5 s); a safety net of 60.
    let dead = receive_all(&sqs, &url("InputDLQ"), 1, Duration::from_secs(60)).await;
    assert_eq!(dead, vec!["fail-1"]);
    let extra = receive_all(&sqs, &url("OutputQueue"), 1, Duration::from_secs(2)).await;
    assert!(extra.is_empty(), "successful messages were deleted, not redelivered: {extra:?}");
}

async fn get_with_token(path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = client().get(format!("{}{path}", runner().url));
    if let Some(token) = token {
        request = request.header("authorization", token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn an_authorizer_guards_routes_as_api_gateway_does() {
    let (status, body) = get_with_token("/secure/x", None).await;
    assert_eq!((status, body), (401, json!({"message": "Unauthorized"})), "no identity: the gateway refuses");
    let (status, body) = get_with_token("/secure/x", Some("Bearer deny-me")).await;
    assert_eq!((status, body), (403, json!({"message": "Forbidden"})), "the authorizer denies");
    let (status, body) = get_with_token("/secure/x", Some("Bearer explode")).await;
    assert_eq!((status, body), (500, json!({"message": "Internal Server Error"})), "the authorizer fails");

    let (status, body) = get_with_token("/secure/x", Some("Bearer allow-1")).await;
    assert_eq!(status, 200);
    let context = &body["event"]["requestContext"]["authorizer"]["lambda"];
    assert_eq!(context["principal"], "Bearer allow-1", "the authorizer's context reaches the function");
    assert_eq!(context["eventType"], "REQUEST");

    let (_, again) = get_with_token("/secure/y", Some("Bearer allow-1")).await;
    assert_eq!(
        again["event"]["requestContext"]["authorizer"]["lambda"]["authorizerRequestId"], context["authorizerRequestId"],
        "a second request with the same token is served from the authorizer cache"
    );
    let (_, other) = get_with_token("/secure/y", Some("Bearer allow-2")).await;
    assert_ne!(
        other["event"]["requestContext"]["authorizer"]["lambda"]["authorizerRequestId"],
        context["authorizerRequestId"]
    );
}

#[tokio::test]
async fn routes_that_opt_out_skip_the_authorizer() {
    let (status, body) = get_with_token("/open", None).await;
    assert_eq!(status, 200);
    assert!(body["event"]["requestContext"].get("authorizer").is_none());
}

#[tokio::test]
async fn a_table_stream_feeds_its_consumer_in_order_and_gives_up_poison_records() {
    let runner = runner();
    let sqs = aws_sdk_sqs::Client::new(&runner.sdk_config().await);
    let url = |name: &str| format!("{}/123456789012/local-{name}", runner.moto);
    let dynamodb = runner.dynamodb().await;
    let bodies = ["a", "skip", "error-1", "b", "c", "fail-2", "d"];
    for (i, body) in bodies.iter().enumerate() {
        dynamodb
            .put_item()
            .table_name("local-ChangesTable")
            .item("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("k{i}")))
            .item("body", aws_sdk_dynamodb::types::AttributeValue::S((*body).to_owned()))
            .send()
            .await
            .unwrap();
    }
    // Both poison records are isolated (bisection) and, after one retry each, reported.
    let reports = receive_all(&sqs, &url("StreamFailuresQueue"), 2, Duration::from_secs(60)).await;
    assert_eq!(reports.len(), 2, "one failure record per poison record:\n{}", runner.output());
    for report in &reports {
        let report: Value = serde_json::from_str(report).unwrap();
        assert_eq!(report["requestContext"]["condition"], "RetryAttemptsExhausted");
        assert_eq!(report["requestContext"]["approximateInvokeCount"], 2, "the first try and one retry");
        assert_eq!(report["DDBStreamBatchInfo"]["batchSize"], 1, "bisected down to the poison record alone");
        assert!(report["DDBStreamBatchInfo"]["streamArn"].as_str().unwrap().ends_with("/stream/local"));
    }
    // The others are processed, in the order they were written (a retried batch may repeat one).
    let processed = receive_all(&sqs, &url("StreamOutputQueue"), 4, Duration::from_secs(30)).await;
    let extra = receive_all(&sqs, &url("StreamOutputQueue"), 10, Duration::from_secs(3)).await;
    let mut firsts: Vec<String> = Vec::new();
    for body in processed.into_iter().chain(extra) {
        if !firsts.contains(&body) {
            firsts.push(body);
        }
    }
    assert_eq!(firsts, vec!["a", "b", "c", "d"], "filtered and poison records never count as processed, order kept");
}

// Fault injection as `make run FAULTS=...` offers it: off until asked, shown and
// changed at `/_local/faults`, a kill answering 502 as API Gateway does. Its own
// runner: the faults must not touch the other tests'.
async fn send_json(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
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
    let (status, shown) = send_json(reqwest::Method::GET, &faults, None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["spec"], json!({"kill": 0.0, "drop": 0.25, "delay": 5}), "the --faults spec: {shown}");

    // Every invocation killed: the caller sees API Gateway's 502.
    let (status, _) = send_json(reqwest::Method::PUT, &faults, Some(json!({"kill": 1.0}))).await;
    assert_eq!(status, 200);
    let (status, body) = send_json(reqwest::Method::GET, &format!("{}/echo/x", runner.url), None).await;
    assert_eq!(status, 502, "{body}");
    let (_, shown) = send_json(reqwest::Method::GET, &faults, None).await;
    assert!(shown["injected"]["kills"].as_u64().unwrap() >= 1, "{shown}");
    // The runner's log reaches us through a pipe read in the background: wait for the
    // line (a safety net; it comes within milliseconds) rather than read it at once.
    assert!(runner.wait_for_output("instance killed by fault injection", Duration::from_secs(30)));

    // A misspelt fault is refused; `{}` turns them all off.
    let (status, body) = send_json(reqwest::Method::PUT, &faults, Some(json!({"kil": 1.0}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = send_json(reqwest::Method::PUT, &faults, Some(json!({"kill": 2.0}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, shown) = send_json(reqwest::Method::PUT, &faults, Some(json!({}))).await;
    assert_eq!((status, &shown["spec"]), (200, &json!({"kill": 0.0, "drop": 0.0, "delay": 0})));
    let (status, body) = send_json(reqwest::Method::GET, &format!("{}/echo/x", runner.url), None).await;
    assert_eq!(status, 200, "faults off: {body}");
}

/// Sends `head` (request line and headers) and `body` on a raw connection and reads
/// the answer's status line, within `within` (a safety net).
async fn raw_status(head: &str, body: &[u8], within: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = runner().url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = vec![0u8; 256];
    let read = tokio::time::timeout(within, stream.read(&mut answer)).await.expect("an answer, not a held connection");
    String::from_utf8_lossy(&answer[..read.unwrap()]).lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_body_larger_than_allowed_or_shorter_than_announced_gets_an_answer_not_a_held_connection() {
    runner();
    let huge = "POST /echo/x HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 99999999999\r\n\r\n";
    let status = raw_status(huge, b"{}", Duration::from_secs(30)).await;
    assert!(status.contains(" 413 "), "refused at once for its announced size: {status}");
    // Announces 100 bytes, sends 2: answered once the body's time is up (10 s).
    let short =
        "POST /echo/x HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n";
    let started = Instant::now();
    let status = raw_status(short, b"{}", Duration::from_secs(60)).await;
    assert!(status.contains(" 400 "), "{status}");
    assert!(started.elapsed() >= Duration::from_secs(9), "after the body's read timeout, not before");
}
