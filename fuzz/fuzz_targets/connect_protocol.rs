//! Kafka Connect group-protocol bytes (`runtime::distributed::protocol`): JoinGroup
//! metadata and SyncGroup assignments come from other group members, so anything a peer
//! (or a broker relaying it) sends. Every input goes through `decode_metadata` and
//! `decode_assignment`; whatever decodes must re-encode and decode to the same value.
//!
//! The known, Java-compatible normalisations are applied before comparing (everything
//! else that decodes but does not round-trip fails the run):
//!
//! * v0 metadata carries no allocation (the reader, like Java's, reads one from any
//!   trailing bytes; the v0 writer drops it), and an allocation is written with the
//!   metadata's version as its header;
//! * a v0 assignment has no `revoked` or `delay` on the wire (the reader, like Java's,
//!   reads them from trailing bytes; the v0 writer drops them).
#![no_main]

use libfuzzer_sys::fuzz_target;
use runtime::distributed::protocol::{
    decode_assignment, decode_metadata, encode_assignment, encode_metadata, Assignment, WorkSet,
    CONNECT_PROTOCOL_V1,
};

fn normalise_assignment(a: &mut Assignment) {
    if a.version < CONNECT_PROTOCOL_V1 {
        a.revoked = WorkSet::default();
        a.delay = 0;
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(mut m) = decode_metadata(data) {
        let bytes = encode_metadata(&m);
        let again = decode_metadata(&bytes).expect("re-encoded metadata decodes");
        // Encoding is a fixpoint.
        assert_eq!(encode_metadata(&again), bytes, "metadata re-encoding");
        let version = m.version;
        if version < CONNECT_PROTOCOL_V1 {
            m.allocation = None;
        } else if let Some(a) = m.allocation.as_mut() {
            a.version = version;
        }
        assert_eq!(again, m, "metadata round trip");
    }
    if let Ok(mut a) = decode_assignment(data) {
        let bytes = encode_assignment(&a);
        let again = decode_assignment(&bytes).expect("re-encoded assignment decodes");
        assert_eq!(encode_assignment(&again), bytes, "assignment re-encoding");
        normalise_assignment(&mut a);
        assert_eq!(again, a, "assignment round trip");
    }
});
