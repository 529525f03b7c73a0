"""Moves the messages of a dead-letter queue back to the queue that feeds its consumer.

Locally (make run):  infra/redrive.py --local http://127.0.0.1:3000 PaymentRequestsDLQ
In AWS, prefer SQS's own redrive:  aws sqs start-message-move-task --source-arn <DLQ ARN>
(it sends each message back to the queue it came from); this script does the same
against any SQS endpoint: infra/redrive.py --dlq-url URL --target-url URL.

Each message is sent to the target (body and attributes unchanged, so its correlation
id stays) before it is deleted from the DLQ: a crash in between duplicates a message,
never loses one, and every consumer is idempotent.
"""
import argparse
import json
import sys
import urllib.request

import boto3


def local_queues(api, dlq_name):
    """The DLQ's URL and its source queue's URL, as the local runner created them."""
    with urllib.request.urlopen(f"{api}/_local") as answer:
        described = json.load(answer)
    queues = {q["logicalId"]: q["url"] for q in described["queues"]}
    if dlq_name not in queues:
        sys.exit(f"no queue {dlq_name}; queues: {', '.join(sorted(queues))}")
    sqs = boto3.client("sqs", endpoint_url=described["moto"], region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=queues[dlq_name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for url in queues.values():
        policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get("Attributes", {})
        if "RedrivePolicy" in policy and json.loads(policy["RedrivePolicy"])["deadLetterTargetArn"] == dlq_arn:
            return sqs, queues[dlq_name], url
    sys.exit(f"no queue sends its failures to {dlq_name}")


def redrive(sqs, dlq_url, target_url):
    moved = 0
    while True:
        batch = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return moved
        for message in batch:
            attributes = message.get("MessageAttributes", {})
            sqs.send_message(QueueUrl=target_url, MessageBody=message["Body"], MessageAttributes=attributes)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queue", nargs="?", help="the DLQ's logical id in template.yaml (with --local)")
    parser.add_argument("--local", metavar="API", help="the local runner's address, e.g. http://127.0.0.1:3000")
    parser.add_argument("--dlq-url")
    parser.add_argument("--target-url")
    args = parser.parse_args()
    if args.local:
        if not args.queue:
            parser.error("name the DLQ, e.g. PaymentRequestsDLQ")
        sqs, dlq_url, target_url = local_queues(args.local.rstrip("/"), args.queue)
    elif args.dlq_url and args.target_url:
        sqs, dlq_url, target_url = boto3.client("sqs"), args.dlq_url, args.target_url
    else:
        parser.error("give --local API QUEUE, or --dlq-url and --target-url")
    moved = redrive(sqs, dlq_url, target_url)
    print(f"moved {moved} message(s) from {dlq_url} to {target_url}")


if __name__ == "__main__":
    main()
