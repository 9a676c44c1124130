//! Any bytes as a state file: loading never panics; a loaded state is in
//! sync with its document; saved unchanged, it reads back as the same
//! document and store and saves to the same text; with descriptions
//! changed, the saved document differs in those `Description` fields only.
#![no_main]

use aliyun_sg_egress::state::State;
use aliyun_sg_egress::store::{Change, GroupHandle, GroupStore};
use aliyun_sg_egress_fuzz::{modelled_slots, snapshot};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn save(state: &mut State) -> String {
    let mut text = String::new();
    state.write_json(&mut text).expect("writing to a String");
    text
}

fn load(text: &str) -> State {
    State::from_json(text).unwrap_or_else(|e| panic!("a saved state does not load: {e}\n{text}"))
}

/// The rule object at `index` of the group at `position`, in any of the
/// three document shapes.
fn rule_mut(document: &mut Value, position: usize, index: usize) -> &mut Value {
    let group = if document.is_array() {
        &mut document[position]
    } else if document.get("SecurityGroups").is_some() {
        &mut document["SecurityGroups"][position]
    } else {
        document
    };
    &mut group["Permissions"]["Permission"][index]
}

fn new_description(n: usize) -> String {
    match n % 6 {
        0 => String::new(),
        1 => "fuzz".into(),
        2 => "\"quoted\" \\ back\\slash /".into(),
        3 => "line\nbreak\ttab\u{1}\u{7f}".into(),
        4 => "允许访问 web </Description> 😀".into(),
        _ => "é".repeat(512),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut state = match State::from_slice(data) {
        Ok(state) => state,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    assert_eq!(state.sync(), 0, "a loaded state differs from its document");
    let groups = state.store().groups().count();
    let before = snapshot(&state, groups);
    let document = state.document().clone();

    let saved = save(&mut state);
    let mut reloaded = load(&saved);
    assert_eq!(reloaded.document(), &document);
    assert_eq!(snapshot(&reloaded, groups), before);
    assert_eq!(save(&mut reloaded), saved, "saving is not stable");

    let mut expected_document = document;
    let mut expected = before;
    for (g, (_, rules)) in expected.iter_mut().enumerate() {
        let h = GroupHandle::new(g);
        let slots = modelled_slots(&state, h);
        for (i, rule) in rules.iter_mut().enumerate().step_by(2) {
            let text = new_description(data.len() + g + i);
            state
                .change(h, Change::SetDescription(slots[i], &text))
                .expect("a VecStore takes any description");
            let position = state.group_position(h).expect("group position");
            let index = state
                .permission_index(h, slots[i])
                .expect("permission index");
            let Value::Object(object) = rule_mut(&mut expected_document, position, index) else {
                panic!("egress rule {i} of group {g} is not an object");
            };
            let current = match object.get("Description") {
                Some(Value::String(current)) => current.as_str(),
                _ => "",
            };
            if current != text {
                object.insert("Description".into(), Value::String(text.clone()));
            }
            rule.description = text;
        }
    }
    let saved = save(&mut state);
    let reloaded = load(&saved);
    assert_eq!(reloaded.document(), &expected_document);
    assert_eq!(snapshot(&reloaded, groups), expected);
});
