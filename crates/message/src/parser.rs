//! The structure scan: one pass over each buffer with an explicit stack of
//! open parts, so nesting costs no recursion and every byte is looked at a
//! bounded number of times (once for the line search, once more for each
//! candidate delimiter line against at most `max_depth` boundaries).

use std::ops::Range;
use std::sync::OnceLock;

use memchr::memmem;

use crate::config::ParserConfig;
use crate::decode;
use crate::defect::Defect;
use crate::field::content_type::{self, ContentType};
use crate::field::unfold;
use crate::header::{HeaderSpan, line_at, scan_header_block};
use crate::part::TransferEncoding;

/// What a part holds besides its headers.
#[derive(Debug, Clone)]
pub(crate) enum PartKind {
    /// A body that is not parsed further.
    Leaf,
    /// A multipart with its boundary, children, preamble and epilogue.
    Multipart {
        boundary: Box<[u8]>,
        children: Vec<usize>,
        preamble: Option<Range<usize>>,
        epilogue: Option<Range<usize>>,
    },
    /// A message/rfc822 or message/global part and its embedded message.
    Message { child: Option<usize> },
}

/// One part as stored: offsets into its source buffer.
#[derive(Debug, Clone)]
pub(crate) struct PartData {
    /// 0 for the input, `n` for the n-th decoded embedded message.
    pub(crate) source: usize,
    pub(crate) headers: Range<usize>,
    pub(crate) header_start: usize,
    pub(crate) body_start: usize,
    pub(crate) body_end: usize,
    pub(crate) parent: Option<usize>,
    /// The resolved content type; `Default` ones are shared statics.
    pub(crate) content_type: ResolvedType,
    /// What the content type makes of the part, for the structure scan.
    pub(crate) shape: Shape,
    pub(crate) encoding: TransferEncoding,
    pub(crate) kind: PartKind,
    pub(crate) defects: Vec<Defect>,
}

/// What a part's content type means for the structure scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `multipart/*` other than digest.
    Multipart,
    /// `multipart/digest`, whose children default to message/rfc822.
    Digest,
    /// message/rfc822, message/global or message/external-body.
    Message,
    /// Anything else: a leaf.
    Leaf,
}

impl Shape {
    fn of(media_type: &[u8], subtype: &[u8]) -> Self {
        let is = |t: &str, s: &str| {
            media_type.eq_ignore_ascii_case(t.as_bytes())
                && subtype.eq_ignore_ascii_case(s.as_bytes())
        };
        if media_type.eq_ignore_ascii_case(b"multipart") {
            if subtype.eq_ignore_ascii_case(b"digest") {
                Self::Digest
            } else {
                Self::Multipart
            }
        // RFC 2046 §5.2.1 and RFC 6532 §3.5 embed a message; §5.2.3's
        // external-body holds a header block and a phantom body too.
        } else if is("message", "rfc822")
            || is("message", "global")
            || is("message", "external-body")
        {
            Self::Message
        } else {
            Self::Leaf
        }
    }

    fn of_parsed(ct: &ContentType) -> Self {
        Self::of(
            ct.media_type.as_bytes(),
            ct.subtype.as_deref().unwrap_or("").as_bytes(),
        )
    }
}

/// A part's content type: parsed from its header, left to parse on first
/// request, or one of the defaults (kept as shared statics so a part without
/// Content-Type allocates nothing).
#[derive(Debug, Clone)]
pub(crate) enum ResolvedType {
    Parsed(ContentType),
    /// A valid field in the plain form ([`content_type::plain_head`]) whose
    /// parameters a structure-only reader never needs: the value's offsets
    /// in the part's source buffer, read in full on first request.
    Deferred {
        value: Range<usize>,
        parsed: OnceLock<ContentType>,
    },
    /// RFC 2045 §5.2: absent or invalid means text/plain; charset=us-ascii.
    TextPlain,
    /// RFC 2046 §5.1.5: the default inside multipart/digest.
    MessageRfc822,
}

static TEXT_PLAIN: std::sync::LazyLock<ContentType> =
    std::sync::LazyLock::new(ContentType::text_plain);
static MESSAGE_RFC822: std::sync::LazyLock<ContentType> =
    std::sync::LazyLock::new(ContentType::message_rfc822);

impl ResolvedType {
    /// The content type; `src` is the part's source buffer.
    pub(crate) fn get(&self, src: &[u8]) -> &ContentType {
        match self {
            Self::Parsed(ct) => ct,
            Self::Deferred { value, parsed } => parsed.get_or_init(|| {
                // `plain_head` accepted the value, so it has a type and a
                // subtype; the fallback only keeps this total.
                src.get(value.clone())
                    .and_then(content_type::parse)
                    .filter(|ct| ct.subtype.is_some())
                    .unwrap_or_else(ContentType::text_plain)
            }),
            Self::TextPlain => &TEXT_PLAIN,
            Self::MessageRfc822 => &MESSAGE_RFC822,
        }
    }

    /// The `boundary` parameter, read without parsing the whole value when
    /// it is in the plain form ([`content_type::plain_boundary`]).
    fn boundary<'s>(&'s self, src: &'s [u8]) -> Option<&'s [u8]> {
        if let Self::Deferred { value, parsed } = self
            && parsed.get().is_none()
            && let Some(plain) = src
                .get(value.clone())
                .and_then(content_type::plain_boundary)
        {
            return plain;
        }
        self.get(src).param("boundary").map(str::as_bytes)
    }
}

/// The start of a line that may be a delimiter. Built once: building a
/// searcher costs more than scanning a small message's body.
static DELIMITER_START: std::sync::LazyLock<memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memmem::Finder::new(b"\n--"));

/// An open part on the scan stack.
#[derive(Debug, Clone, Copy)]
struct Frame {
    part: usize,
    /// Whether this frame is a multipart still looking for its delimiters.
    active: bool,
    seen_first: bool,
    epilogue_start: Option<usize>,
}

/// The parts, header spans and decoded buffers of one message.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub(crate) parts: Vec<PartData>,
    pub(crate) headers: Vec<HeaderSpan>,
    pub(crate) decoded: Vec<Vec<u8>>,
}

struct Scanner<'c> {
    tree: Tree,
    config: &'c ParserConfig,
    /// Encoded message/* parts still to decode and parse: (part, depth).
    pending: Vec<(usize, usize)>,
    active: usize,
}

/// Parses `input` into a part tree.
pub(crate) fn parse(input: &[u8], config: &ParserConfig) -> Tree {
    let mut scanner = Scanner {
        tree: Tree::default(),
        config,
        pending: Vec::new(),
        active: 0,
    };
    // About one field per 64 input bytes in real header blocks; the bound
    // keeps a huge body from reserving a huge table.
    scanner
        .tree
        .headers
        .reserve((input.len() / 64).clamp(8, 256));
    scanner.scan(input, 0, None, 0);
    // Embedded messages that were base64/QP-encoded: decode and parse each as
    // its own buffer. A worklist, not recursion, so depth costs no stack.
    // Nested encoded messages each add a decoded copy; a budget keeps the
    // total memory proportional to the input.
    let mut budget = input.len().saturating_mul(2).saturating_add(1 << 20);
    while let Some((part, depth)) = scanner.pending.pop() {
        let data = &scanner.tree.parts[part];
        let encoded_len = data.body_end - data.body_start;
        if encoded_len > budget {
            scanner.tree.parts[part]
                .defects
                .push(Defect::EmbeddedTooLarge);
            continue;
        }
        budget -= encoded_len;
        let source = data.source;
        let body = {
            let buffer: &[u8] = if source == 0 {
                input
            } else {
                &scanner.tree.decoded[source - 1]
            };
            &buffer[data.body_start..data.body_end]
        };
        let decoded = match data.encoding {
            TransferEncoding::Base64 => decode::base64(body).0,
            TransferEncoding::QuotedPrintable => decode::quoted_printable(body).0,
            _ => decode::uuencode(body).0,
        };
        let index = scanner.tree.decoded.len() + 1;
        scanner.scan(&decoded, index, Some(part), depth);
        scanner.tree.decoded.push(decoded);
    }
    scanner.tree
}

impl Scanner<'_> {
    fn scan(&mut self, src: &[u8], source: usize, parent: Option<usize>, base_depth: usize) {
        let len = src.len();
        let mut stack: Vec<Frame> = Vec::new();
        self.active = 0;
        let mut pos = self.open_chain(src, source, 0, parent, false, base_depth, &mut stack);
        let finder = &*DELIMITER_START;
        while self.active > 0 && pos < len {
            let p = if src[pos..].starts_with(b"--") {
                pos
            } else {
                match finder.find(&src[pos..]) {
                    Some(i) => pos + i + 1,
                    None => break,
                }
            };
            let (next, content_end) = line_at(src, p, len);
            let line = &src[p + 2..content_end.max(p + 2)];
            let Some((k, close)) = match_delimiter(&self.tree.parts, &stack, line) else {
                pos = next;
                continue;
            };
            // RFC 2046 §5.1.1: a multipart-body starts with a dash-boundary;
            // a close delimiter before any part does not open or close it.
            if close && !stack[k].seen_first {
                pos = next;
                continue;
            }
            let mut before = p;
            if before > 0 && src[before - 1] == b'\n' {
                before -= 1;
                if before > 0 && src[before - 1] == b'\r' {
                    before -= 1;
                }
            }
            while stack.len() > k + 1 {
                if let Some(frame) = stack.pop() {
                    self.close(frame, before);
                }
            }
            let frame = &mut stack[k];
            let part = frame.part;
            let body_start = self.tree.parts[part].body_start;
            if !frame.seen_first {
                frame.seen_first = true;
                if let PartKind::Multipart { preamble, .. } = &mut self.tree.parts[part].kind {
                    *preamble = Some(body_start..before.max(body_start));
                }
            }
            if close {
                frame.active = false;
                frame.epilogue_start = Some(next);
                self.active -= 1;
                pos = next;
            } else if self.tree.parts.len() >= self.config.max_parts {
                frame.active = false;
                frame.epilogue_start = Some(p);
                self.active -= 1;
                self.tree.parts[part].defects.push(Defect::TooManyParts);
                pos = next;
            } else {
                let digest = self.tree.parts[part].shape == Shape::Digest;
                let depth = base_depth + stack.len();
                pos = self.open_chain(src, source, next, Some(part), digest, depth, &mut stack);
            }
        }
        // A multipart left open at the end of the input: its last line break
        // ends the message, it is not part of the last part's content (the
        // reading Python's email gives).
        let mut end = len;
        let open_with_parts = stack.iter().any(|f| f.active && f.seen_first);
        if open_with_parts && end > 0 && src[end - 1] == b'\n' {
            end -= 1;
            if end > 0 && src[end - 1] == b'\r' {
                end -= 1;
            }
        }
        while let Some(frame) = stack.pop() {
            self.close(frame, end);
        }
    }

    fn close(&mut self, frame: Frame, end: usize) {
        let data = &mut self.tree.parts[frame.part];
        data.body_end = end.max(data.body_start);
        let body_end = data.body_end;
        if let PartKind::Multipart { epilogue, .. } = &mut data.kind {
            if frame.active {
                self.active -= 1;
                if frame.seen_first {
                    data.defects.push(Defect::CloseBoundaryNotFound);
                } else {
                    // Nothing to split: the body is read as one leaf, as
                    // Python's email does (StartBoundaryNotFoundDefect).
                    data.defects.push(Defect::StartBoundaryNotFound);
                    data.kind = PartKind::Leaf;
                    return;
                }
            }
            if let Some(start) = frame.epilogue_start {
                *epilogue = Some(start.min(body_end)..body_end);
            }
        }
    }

    /// Opens a part at `pos` and, while it is an unencoded message/*, the
    /// embedded message's root too. Returns where the scan goes on.
    #[allow(clippy::too_many_arguments)]
    fn open_chain(
        &mut self,
        src: &[u8],
        source: usize,
        mut pos: usize,
        mut parent: Option<usize>,
        mut digest_child: bool,
        mut depth: usize,
        stack: &mut Vec<Frame>,
    ) -> usize {
        loop {
            let id = self.new_part(src, source, pos, parent, digest_child, stack);
            match parent.map(|p| &mut self.tree.parts[p].kind) {
                Some(PartKind::Multipart { children, .. }) => children.push(id),
                Some(PartKind::Message { child }) => *child = Some(id),
                _ => {}
            }
            depth += 1;
            let part_count = self.tree.parts.len();
            stack.push(Frame {
                part: id,
                active: false,
                seen_first: false,
                epilogue_start: None,
            });
            let data = &mut self.tree.parts[id];
            let body_start = data.body_start;
            let is_multipart = matches!(data.shape, Shape::Multipart | Shape::Digest);
            let is_message = data.shape == Shape::Message;
            if !is_multipart && !is_message {
                return body_start;
            }
            if depth >= self.config.max_depth {
                data.defects.push(Defect::NestingTooDeep);
                return body_start;
            }
            if is_multipart {
                match data.content_type.boundary(src).filter(|b| !b.is_empty()) {
                    Some(boundary) => {
                        data.kind = PartKind::Multipart {
                            boundary: boundary.into(),
                            children: Vec::new(),
                            preamble: None,
                            epilogue: None,
                        };
                        if let Some(frame) = stack.last_mut() {
                            frame.active = true;
                        }
                        self.active += 1;
                    }
                    None => data.defects.push(Defect::MultipartWithoutBoundary),
                }
                return body_start;
            }
            data.kind = PartKind::Message { child: None };
            if part_count >= self.config.max_parts {
                data.defects.push(Defect::TooManyParts);
                return body_start;
            }
            match data.encoding {
                TransferEncoding::Base64
                | TransferEncoding::QuotedPrintable
                | TransferEncoding::Uuencode => {
                    self.pending.push((id, depth));
                    return body_start;
                }
                _ => {}
            }
            parent = Some(id);
            pos = body_start;
            digest_child = false;
        }
    }

    fn new_part(
        &mut self,
        src: &[u8],
        source: usize,
        pos: usize,
        parent: Option<usize>,
        digest_child: bool,
        stack: &[Frame],
    ) -> usize {
        let mut defects = Vec::new();
        let parts = &self.tree.parts;
        // A delimiter of an open multipart ends a header block even when it
        // looks like a field (a boundary may contain ':').
        let is_delimiter = |line: &[u8]| {
            line.starts_with(b"--") && match_delimiter(parts, stack, &line[2..]).is_some()
        };
        let first = self.tree.headers.len();
        let block = scan_header_block(
            src,
            pos,
            src.len(),
            self.config,
            &mut defects,
            &mut self.tree.headers,
            is_delimiter,
        );
        let spans = &self.tree.headers[first..];
        let mut content_type = None;
        let mut encoding = None;
        for span in spans {
            let name = &src[span.start..span.name_end];
            let value = &src[span.value_start..span.value_end];
            if content_type.is_none() && name.eq_ignore_ascii_case(b"content-type") {
                content_type = Some(match content_type::plain_head(value) {
                    Some((media_type, subtype)) => Some((
                        Shape::of(media_type, subtype),
                        ResolvedType::Deferred {
                            value: span.value_start..span.value_end,
                            parsed: OnceLock::new(),
                        },
                    )),
                    None => content_type::parse(value)
                        .filter(|ct| ct.subtype.is_some())
                        .map(|ct| (Shape::of_parsed(&ct), ResolvedType::Parsed(ct))),
                });
            } else if encoding.is_none() && name.eq_ignore_ascii_case(b"content-transfer-encoding")
            {
                encoding = Some(TransferEncoding::from_value(&unfold(value)));
            }
        }
        let (shape, content_type) = match content_type {
            Some(Some(resolved)) => resolved,
            // RFC 2045 §5.2: an invalid Content-Type means text/plain.
            Some(None) => (Shape::Leaf, ResolvedType::TextPlain),
            // RFC 2046 §5.1.5: in a digest the default is message/rfc822.
            None if digest_child => (Shape::Message, ResolvedType::MessageRfc822),
            None => (Shape::Leaf, ResolvedType::TextPlain),
        };
        let id = self.tree.parts.len();
        self.tree.parts.push(PartData {
            source,
            headers: first..self.tree.headers.len(),
            header_start: pos,
            body_start: block.body_start,
            body_end: src.len(),
            parent,
            content_type,
            shape,
            encoding: encoding.unwrap_or(TransferEncoding::SevenBit),
            kind: PartKind::Leaf,
            defects,
        });
        id
    }
}

/// Which open multipart, innermost first, `line` (after its leading `--`)
/// is a delimiter of, and whether it is the close delimiter.
fn match_delimiter(parts: &[PartData], stack: &[Frame], line: &[u8]) -> Option<(usize, bool)> {
    for (k, frame) in stack.iter().enumerate().rev() {
        if !frame.active {
            continue;
        }
        let PartKind::Multipart { boundary, .. } = &parts[frame.part].kind else {
            continue;
        };
        // RFC 2046 §5.1.1: the boundary, an optional "--", then only
        // transport padding. This is what keeps "b1" from matching "b10".
        if let Some(rest) = line.strip_prefix(&boundary[..]) {
            let (close, rest) = match rest.strip_prefix(b"--") {
                Some(rest) => (true, rest),
                None => (false, rest),
            };
            if rest.iter().all(|b| matches!(b, b' ' | b'\t')) {
                return Some((k, close));
            }
        }
    }
    None
}
