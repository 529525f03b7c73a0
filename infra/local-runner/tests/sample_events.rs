//! Every sample event in `events/<FunctionLogicalId>/` parses as the event type
//! of that function's event source in template.yaml, so `sam local invoke -e` and
//! `local-runner invoke --event` get events the function can read.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sqs::SqsEvent;
use local_runner::template::{EventSource, Template};
use serde_json::Value;
use std::path::Path;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_sample_event_parses_as_its_functions_event_type() {
    let template = Template::load(&root().join("template.yaml")).unwrap();
    let mut checked = 0;
    for dir in std::fs::read_dir(root().join("events")).unwrap() {
        let dir = dir.unwrap().path();
        let function_id = dir.file_name().unwrap().to_string_lossy().into_owned();
        let resource = template
            .resources
            .iter()
            .find(|r| r.logical_id == function_id && r.kind == "AWS::Serverless::Function")
            .unwrap_or_else(|| panic!("events/{function_id} names no function of template.yaml"));
        let function = resource.function(&mut Vec::new()).unwrap();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let text = std::fs::read_to_string(&file).unwrap();
            let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let parsed = match function.events.first() {
                Some(EventSource::HttpApi(_)) => serde_json::from_value::<ApiGatewayV2httpRequest>(json).map(|_| ()),
                Some(EventSource::Sqs(_)) => serde_json::from_value::<SqsEvent>(json).map(|_| ()),
                Some(EventSource::Schedule(_)) => serde_json::from_value::<EventBridgeEvent<Value>>(json).map(|_| ()),
                Some(EventSource::DynamoDb(_)) => {
                    serde_json::from_value::<aws_lambda_events::dynamodb::Event>(json).map(|_| ())
                }
                // Functions invoked directly (no event source) define their own input; the
                // function's crate checks its samples in its own tests. Here: a JSON object.
                None => {
                    if json.is_object() {
                        Ok(())
                    } else {
                        panic!("{} is not a JSON object", file.display())
                    }
                }
            };
            parsed.unwrap_or_else(|e| panic!("{} does not parse as {function_id}'s event: {e}", file.display()));
            checked += 1;
        }
    }
    assert!(checked > 0, "events/ holds no sample event");
}
