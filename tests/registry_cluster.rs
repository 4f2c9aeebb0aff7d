//! Two `sluice registry` processes sharing one `_schemas` topic: the leader is killed
//! with SIGKILL (no LeaveGroup), and a write sent to the survivor still succeeds once
//! the group has expelled the dead leader, with an id after every id given before.

mod support;

use std::time::Instant;

use serde_json::json;
use support::{Broker, Registry};

fn register(registry: &Registry, subject: &str, field: &str) -> support::Response {
    let schema = json!({
        "type": "record",
        "name": "R",
        "fields": [{"name": field, "type": "int", "default": 0}],
    })
    .to_string();
    registry.rest(
        "POST",
        &format!("/subjects/{subject}/versions"),
        Some(&json!({ "schema": schema })),
    )
}

#[test]
fn a_killed_leader_is_replaced_and_writes_continue() {
    let broker = Broker::start();
    let args = [
        "--group-id",
        "registry-cluster",
        "--topic",
        "_schemas_cluster",
    ];
    let first = Registry::start_with(&broker.bootstrap(), &args);
    let second = Registry::start_with(&broker.bootstrap(), &args);
    // Confluent's rule, which sluice keeps: the eligible instance with the smallest URL
    // leads.
    let (mut leader, follower) = if first.url() < second.url() {
        (first, second)
    } else {
        (second, first)
    };

    let mut last_id = 0;
    for (i, registry) in [&leader, &follower, &follower].into_iter().enumerate() {
        let answer = register(registry, &format!("before{i}"), "a");
        assert_eq!(answer.status, 200, "{answer}\n{}", follower.log_tail());
        last_id = answer.json["id"].as_i64().expect("an id");
    }
    let answer = follower.rest("GET", "/subjects", None);
    assert_eq!(
        answer.json,
        json!(["before0", "before1", "before2"]),
        "{answer}"
    );

    leader.kill();
    let started = Instant::now();
    let answer = register(&follower, "after", "b");
    let took = started.elapsed();
    assert_eq!(
        answer.status,
        200,
        "{answer} after {took:?}; survivor's log:\n{}",
        follower.log_tail()
    );
    let id = answer.json["id"].as_i64().expect("an id");
    assert!(
        id > last_id,
        "the new leader gave id {id}, not after {last_id}"
    );
    eprintln!("the write after SIGKILL of the leader took {took:?}");

    // The killed instance comes back as a follower of the new leader and reads
    // everything, its own writes included.
    leader.restart();
    let answer = register(&leader, "back", "c");
    assert_eq!(answer.status, 200, "{answer}\n{}", leader.log_tail());
    let answer = leader.rest("GET", "/subjects", None);
    assert_eq!(
        answer.json,
        json!(["after", "back", "before0", "before1", "before2"]),
        "{answer}"
    );
}
