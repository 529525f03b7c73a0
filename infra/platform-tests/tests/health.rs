//! End to end: the real template.yaml and the real function binaries, served by
//! the runner against DynamoDB Local and moto, called over HTTP as a client would.

use platform_tests::Runner;
use serde_json::Value;
use std::sync::OnceLock;

static RUNNER: OnceLock<Runner> = OnceLock::new();

fn runner() -> &'static Runner {
    platform_tests::shared(&RUNNER, || Runner::platform(&[]))
}

#[tokio::test]
async fn health_answers_200_and_publishes_no_table_names() {
    let response = reqwest::get(format!("{}/health", runner().url)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["dependencies"], serde_json::json!({"checked": 5, "failing": 0}), "every table answered");
    assert!(!body.to_string().contains("Table"), "table names are not public: {body}");
    // The detail is the local runner's to show.
    let local: Value = reqwest::get(format!("{}/_local", runner().url)).await.unwrap().json().await.unwrap();
    let tables: Vec<&str> = local["tables"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    for table in ["UsersTable", "EventsTable", "ReservationsTable", "PaymentsTable", "NotificationsTable"] {
        assert!(tables.contains(&format!("local-{table}").as_str()), "{table}: {tables:?}");
    }
}

#[tokio::test]
async fn queues_are_created_with_their_dead_letter_queues() {
    let runner = runner();
    let sqs = aws_sdk_sqs::Client::new(&runner.sdk_config().await);
    for (queue, dlq) in [("PaymentRequestsQueue", "PaymentRequestsDLQ"), ("NotificationsQueue", "NotificationsDLQ")] {
        let url = sqs.get_queue_url().queue_name(format!("local-{queue}")).send().await.unwrap().queue_url.unwrap();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
            .send()
            .await
            .unwrap()
            .attributes
            .unwrap();
        let redrive: Value =
            serde_json::from_str(&attributes[&aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy]).unwrap();
        assert!(redrive["deadLetterTargetArn"].as_str().unwrap().ends_with(&format!(":local-{dlq}")), "{redrive}");
    }
}

#[tokio::test]
async fn unknown_paths_get_api_gateway_404() {
    let response = reqwest::get(format!("{}/definitely/not/a/route", runner().url)).await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Not Found");
}

#[test]
fn invoke_runs_one_function_on_a_sample_event() {
    let root = platform_tests::workspace_root();
    let output = std::process::Command::new(platform_tests::runner_binary())
        .current_dir(&root)
        .args(["invoke", "HealthFunction", "--event", "events/HealthFunction/get-health.json"])
        .arg("--start-moto")
        .arg(platform_tests::moto_server())
        .arg("--start-dynamodb")
        .arg(platform_tests::dynamodb_local())
        .args(["--moto-port", "0", "--dynamodb-port", "0"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "invoke failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let result: Value = serde_json::from_str(&stdout).expect("stdout holds only the result");
    assert_eq!(result["statusCode"], 200, "{result}");
    let body: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "ok");
    assert!(String::from_utf8_lossy(&output.stderr).contains("REPORT RequestId: "), "logs and REPORT go to stderr");
}

/// `aws lambda invoke --endpoint-url` and boto3 work against the local functions: the
/// runner serves Lambda's Invoke API beside the HTTP API.
#[test]
fn boto3_invokes_local_functions_through_the_lambda_api() {
    let root = platform_tests::workspace_root();
    let output = std::process::Command::new(root.join(".venv/bin/python"))
        .arg("infra/platform-tests/boto3_invoke.py")
        .arg(&runner().url)
        .current_dir(&root)
        .output()
        .expect("the venv's python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let findings: Value = serde_json::from_slice(&output.stdout).expect("one JSON line");
    assert_eq!(findings["health"]["status"], 200, "{findings}");
    assert_eq!(findings["health"]["functionError"], Value::Null);
    assert_eq!(findings["health"]["statusCode"], 200, "the function's own answer: {findings}");
    assert_eq!(findings["health"]["body"]["status"], "ok");
    assert_eq!(findings["byArn"], 200, "a full ARN names the function too");
    assert_eq!(findings["functionError"]["status"], 200, "a failing function is still a 200 ...");
    assert_eq!(findings["functionError"]["functionError"], "Unhandled", "... flagged as its error: {findings}");
    assert!(findings["functionError"]["payload"]["errorMessage"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(findings["event"], 202);
    assert_eq!(findings["dryRun"], 204);
    assert_eq!(findings["missing"], "ResourceNotFoundException");
}
