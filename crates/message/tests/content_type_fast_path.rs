//! The structure scan reads plain Content-Type fields without parsing their
//! parameters (and only the boundary of a multipart); these hold what a part
//! reports to the full reading of its field, `Header::content_type`.

use proptest::prelude::*;
use yubin_message::field::content_type;
use yubin_message::{ContentType, Message};

/// Field values made of the pieces real and hostile Content-Type fields have.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(&b"multipart/mixed"[..]),
        Just(&b"multipart/digest"[..]),
        Just(&b"message/rfc822"[..]),
        Just(&b"Text/Plain"[..]),
        Just(&b"/"[..]),
        Just(&b";"[..]),
        Just(&b" "[..]),
        Just(&b"\r\n "[..]),
        Just(&b" boundary="[..]),
        Just(&b" boundary=\""[..]),
        Just(&b"b1"[..]),
        Just(&b" charset=\"utf-8\""[..]),
        Just(&b"\""[..]),
        Just(&b"\\"[..]),
        Just(&b"("[..]),
        Just(&b"*0"[..]),
        Just(&b"=?"[..]),
        Just(&b"\xc3\xa9"[..]),
    ];
    proptest::collection::vec(piece, 1..10).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The part's content type, multipart reading and boundary are those of
    /// the full reading of its field (RFC 2045 §5.2 default when invalid).
    #[test]
    fn part_content_type_is_the_full_reading(value in value()) {
        let full = content_type::parse(&value)
            .filter(|ct| ct.subtype.is_some())
            .unwrap_or_else(ContentType::text_plain);
        let expected = (full.media_type == "multipart")
            .then(|| full.param("boundary").filter(|b| !b.is_empty()))
            .flatten()
            .map(|b| b.as_bytes().to_vec());
        // A body with the delimiters of the boundary the full reading gives.
        let delimiter = expected.clone().unwrap_or_else(|| b"b1".to_vec());
        let mut input = b"Content-Type: ".to_vec();
        input.extend_from_slice(&value);
        input.extend_from_slice(b"\r\n\r\n--");
        input.extend_from_slice(&delimiter);
        input.extend_from_slice(b"\r\n\r\none\r\n--");
        input.extend_from_slice(&delimiter);
        input.extend_from_slice(b"--\r\n");
        let message = Message::parse(&input);
        let root = message.root();
        prop_assert_eq!(
            root.header("Content-Type").map(|h| h.raw_value().to_vec()),
            Some([&b" "[..], &value[..]].concat())
        );
        // Read before the content type is asked for, then after.
        let boundary_before = root.boundary().map(<[u8]>::to_vec);
        prop_assert_eq!(root.content_type(), &full);
        prop_assert_eq!(boundary_before, expected.clone());
        prop_assert_eq!(root.is_multipart(), expected.is_some());
        let embedded = full.is("message", "rfc822");
        prop_assert_eq!(root.embedded().is_some(), embedded);
    }
}
