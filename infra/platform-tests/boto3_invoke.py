"""Drives the local runner's Lambda Invoke API with boto3, as an operator's script would.

Usage: boto3_invoke.py ENDPOINT  (prints one JSON line of findings; exits non-zero on a failed check)
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
client = boto3.client(
    "lambda",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
    config=Config(retries={"max_attempts": 1}),
)
findings = {}

with open("events/HealthFunction/get-health.json", encoding="utf-8") as sample:
    health = client.invoke(FunctionName="HealthFunction", Payload=sample.read())
answer = json.loads(health["Payload"].read())
findings["health"] = {"status": health["StatusCode"], "functionError": health.get("FunctionError"),
                      "statusCode": answer.get("statusCode"), "body": json.loads(answer.get("body", "{}"))}

arn = "arn:aws:lambda:us-east-1:123456789012:function:HealthFunction"
findings["byArn"] = client.invoke(FunctionName=arn, Payload=b"{}")["StatusCode"]

bad = client.invoke(FunctionName="BootstrapAdminFunction", Payload=json.dumps({"email": "not an email"}))
findings["functionError"] = {"status": bad["StatusCode"], "functionError": bad.get("FunctionError"),
                             "payload": json.loads(bad["Payload"].read())}

findings["event"] = client.invoke(FunctionName="HealthFunction", InvocationType="Event", Payload=b"{}")["StatusCode"]
findings["dryRun"] = client.invoke(FunctionName="HealthFunction", InvocationType="DryRun")["StatusCode"]

try:
    client.invoke(FunctionName="NoSuchFunction", Payload=b"{}")
    findings["missing"] = "no error"
except ClientError as error:
    findings["missing"] = error.response["Error"]["Code"]

print(json.dumps(findings))
