//! Any sequence of requests, one per line (first byte: the action), on a
//! state with modelled, unmodelled and ingress rules: never a panic; a
//! failed action leaves the saved state byte for byte as it was; after
//! every action the saved state loads again and describes the same.
#![no_main]

use aliyun_sg_egress::lifecycle::{self, Env};
use aliyun_sg_egress::request::{Action, Request, RequestParser};
use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::Tokens;
use aliyun_sg_egress::{Format, RequestId};
use libfuzzer_sys::fuzz_target;

const STATE: &str = include_str!("../seeds/state/lifecycle-state.json");

fn save(state: &mut State) -> String {
    let mut text = String::new();
    state.write_json(&mut text).expect("writing to a String");
    text
}

fn describe(state: &State, group: &str) -> String {
    let query = format!("RegionId=cn-hangzhou&SecurityGroupId={group}&MaxResults=1000");
    let mut parser = Box::new(RequestParser::new());
    let Ok(Request::Describe(request)) = parser.parse_request(Some(Action::Describe), &query) else {
        panic!("a describe request");
    };
    let mut body = String::new();
    lifecycle::write_describe(state, &request, Format::Json, RequestId::from_u128(1), &mut body)
        .expect("writing to a String");
    body
}

fuzz_target!(|data: &[u8]| {
    let mut state = State::from_json(STATE).expect("the seed state loads");
    let mut tokens = Box::new(Tokens::new());
    let mut parser = Box::new(RequestParser::new());
    let mut n = 0u32;
    let mut ids = || {
        n += 1;
        let mut id = [b'0'; 20];
        id.copy_from_slice(format!("{n:020}").as_bytes());
        id
    };
    for line in data.split(|&b| b == b'\n').take(16) {
        let Some((&first, query)) = line.split_first() else { continue };
        let action = match first % 5 {
            0 => None,
            1 => Some(Action::Modify),
            2 => Some(Action::Authorize),
            3 => Some(Action::Revoke),
            _ => Some(Action::Describe),
        };
        let Ok(request) = parser.parse_request(action, query) else { continue };
        let before = save(&mut state);
        let mut env = Env::new("2026-12-02T06:00:00Z", &mut ids).with_tokens(&mut tokens);
        env.rule_quota = 8;
        match lifecycle::execute(&mut state, &mut env, &request) {
            Err(_) => assert_eq!(save(&mut state), before, "a failed action changed the state"),
            Ok(done) => {
                let after = save(&mut state);
                if !done.changed {
                    assert_eq!(after, before, "an action that changed nothing changed the state");
                }
                let again = State::from_json(&after)
                    .unwrap_or_else(|e| panic!("a saved state does not load: {e}\n{after}"));
                for group in ["sg-1", "sg-2", "sg-c"] {
                    assert_eq!(describe(&again, group), describe(&state, group));
                }
            }
        }
    }
});
