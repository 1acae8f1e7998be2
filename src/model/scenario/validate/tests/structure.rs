use super::{on_scenario, on_step, problems};
use crate::model::scenario::fixtures::{condition, exit, id, scenario, wait, webhook};

#[test]
fn a_scenario_needs_a_name_of_at_most_200_characters() {
    for blank in ["", "   "] {
        let mut s = scenario(vec![exit("end")]);
        s.name = blank.into();
        assert_eq!(
            problems(&s),
            [on_scenario(
                "name",
                "name_required",
                "give the scenario a name"
            )]
        );
    }
    let mut s = scenario(vec![exit("end")]);
    s.name = "é".repeat(200);
    assert_eq!(problems(&s), []);
    s.name = "é".repeat(201);
    assert_eq!(
        problems(&s),
        [on_scenario(
            "name",
            "name_too_long",
            "a scenario name is at most 200 characters (this one has 201)"
        )]
    );
}

#[test]
fn a_scenario_without_steps_is_empty() {
    assert_eq!(
        problems(&scenario(vec![])),
        [on_scenario(
            "steps",
            "empty_scenario",
            "add at least one step after the trigger"
        )]
    );
}

#[test]
fn a_scenario_has_at_most_200_steps() {
    let chain = |n: usize| {
        let steps = (0..n)
            .map(|i| {
                let next = format!("s{}", i + 1);
                wait(&format!("s{i}"), (i + 1 < n).then_some(next.as_str()))
            })
            .collect();
        scenario(steps)
    };
    assert_eq!(problems(&chain(200)), []);
    assert_eq!(
        problems(&chain(201)),
        [on_scenario(
            "steps",
            "too_many_steps",
            "a scenario can have at most 200 steps (this one has 201)"
        )]
    );
}

#[test]
fn a_scenario_needs_a_first_step_that_exists() {
    let mut s = scenario(vec![exit("end")]);
    s.graph.start = None;
    assert_eq!(
        problems(&s),
        [on_scenario(
            "start",
            "missing_start",
            "choose the step contacts start with"
        )]
    );
    s.graph.start = Some(id("begin"));
    assert_eq!(
        problems(&s),
        [on_scenario(
            "start",
            "unknown_step",
            "the first step \"begin\" does not exist"
        )]
    );
}

#[test]
fn a_step_nobody_can_reach_is_reported_on_that_step() {
    let s = scenario(vec![
        wait("a", Some("end")),
        exit("end"),
        webhook("island", Some("end")),
    ]);
    assert_eq!(
        problems(&s),
        [on_step(
            "island",
            "steps[2]",
            "unreachable_step",
            "no contact can reach this step: link it from another step or remove it"
        )]
    );
}

#[test]
fn a_link_to_a_step_that_does_not_exist_is_reported_on_that_link() {
    let s = scenario(vec![
        wait("a", Some("check")),
        condition("check", Some("gone"), Some("also_gone")),
        wait("b", Some("nowhere")),
    ]);
    let found = problems(&s);
    assert_eq!(
        found[..3],
        [
            on_step(
                "check",
                "steps[1].yes",
                "unknown_step",
                "the Yes branch leads to \"gone\", which does not exist"
            ),
            on_step(
                "check",
                "steps[1].no",
                "unknown_step",
                "the No branch leads to \"also_gone\", which does not exist"
            ),
            on_step(
                "b",
                "steps[2].next",
                "unknown_step",
                "this step leads to \"nowhere\", which does not exist"
            ),
        ]
    );
    // b is also unreachable, and says so.
    assert_eq!(found[3].2, "unreachable_step");
    assert_eq!(found.len(), 4);
}

#[test]
fn two_steps_with_the_same_id_are_reported_on_the_second() {
    let s = scenario(vec![wait("a", Some("end")), exit("end"), exit("end")]);
    assert_eq!(
        problems(&s),
        [on_step(
            "end",
            "steps[2].id",
            "duplicate_step_id",
            "another step already uses the id \"end\"; give this one another id"
        )]
    );
}

#[test]
fn a_step_id_is_1_to_64_letters_digits_dashes_and_underscores() {
    let s = scenario(vec![wait("send webhook", Some("")), exit("")]);
    assert_eq!(
        problems(&s),
        [
            on_step(
                "send webhook",
                "steps[0].id",
                "invalid_step_id",
                "the step id \"send webhook\" may only use letters, digits, - and _ (at most 64)"
            ),
            on_step("", "steps[1].id", "invalid_step_id", "give the step an id"),
        ]
    );
    assert_eq!(problems(&scenario(vec![exit(&"x".repeat(64))])), []);
    assert_eq!(problems(&scenario(vec![exit(&"x".repeat(65))])).len(), 1);
}

#[test]
fn a_condition_that_loops_back_to_an_earlier_step_is_a_cycle() {
    let s = scenario(vec![
        webhook("notify", Some("wait")),
        wait("wait", Some("opened")),
        condition("opened", Some("end"), Some("notify")),
        exit("end"),
    ]);
    assert_eq!(
        problems(&s),
        [on_step(
            "opened",
            "steps[2].no",
            "cycle",
            "the No branch leads back to \"notify\", which contacts have already passed: they would go round in circles forever"
        )]
    );
}

#[test]
fn a_step_that_leads_to_itself_is_a_cycle() {
    let s = scenario(vec![wait("again", Some("again"))]);
    assert_eq!(
        problems(&s),
        [on_step(
            "again",
            "steps[0].next",
            "cycle",
            "this step leads back to \"again\", which contacts have already passed: they would go round in circles forever"
        )]
    );
}

#[test]
fn branches_that_join_again_are_not_a_cycle() {
    let s = scenario(vec![
        condition("check", Some("vip"), Some("others")),
        webhook("vip", Some("end")),
        wait("others", Some("end")),
        exit("end"),
    ]);
    assert_eq!(problems(&s), []);
}

#[test]
fn every_problem_is_reported_at_once_scenario_first_then_step_by_step() {
    let mut s = scenario(vec![
        wait("a", Some("b")),
        wait("b", Some("a")),
        exit("a"),
        exit("lonely"),
    ]);
    s.name = String::new();
    let codes: Vec<_> = problems(&s).into_iter().map(|p| (p.1, p.2)).collect();
    assert_eq!(
        codes,
        [
            ("name".to_string(), "name_required"),
            ("steps[1].next".into(), "cycle"),
            ("steps[2].id".into(), "duplicate_step_id"),
            ("steps[3]".into(), "unreachable_step"),
        ]
    );
}
