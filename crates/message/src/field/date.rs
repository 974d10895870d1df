//! Dates (RFC 5322 §3.3, obsolete forms of §4.3) to a fixed-offset timestamp.
//!
//! ```text
//! date-time = [ day-of-week "," ] date time [CFWS]
//! date      = day month year
//! time      = time-of-day zone
//! zone      = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone
//! obs-zone  = "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" / "MST" / "MDT"
//!           / "PST" / "PDT" / %d65-73 / %d75-90 / %d97-105 / %d107-122
//! ```

/// A date and time with the zone offset it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// Four-digit year (two- and three-digit years widened per RFC 5322 §4.3).
    pub year: i32,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute, 0-59.
    pub minute: u8,
    /// Second, 0-60 (60 for a leap second).
    pub second: u8,
    /// Offset from UTC in minutes, east positive (`-0330` is -210).
    pub offset_minutes: i32,
}

impl DateTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn timestamp(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset_minutes) * 60
    }

    /// The date for a UNIX timestamp shown at `offset_minutes` from UTC.
    pub fn from_timestamp(timestamp: i64, offset_minutes: i32) -> Self {
        // Saturating: any i64 gives some date rather than an overflow panic.
        let local = timestamp.saturating_add(i64::from(offset_minutes).saturating_mul(60));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs % 3600 / 60) as u8,
            second: (secs % 60) as u8,
            offset_minutes,
        }
    }

    /// Formats as RFC 5322 §3.3 `date-time`, e.g. `Tue, 01 Jul 2003 10:52:37 +0200`.
    pub fn to_rfc5322(&self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        let weekday = days_from_civil(self.year, self.month, self.day).rem_euclid(7) as usize;
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.unsigned_abs();
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            DAYS[weekday],
            self.day,
            MONTHS[usize::from(self.month.clamp(1, 12)) - 1],
            self.year,
            self.hour,
            self.minute,
            self.second,
            sign,
            offset / 60,
            offset % 60
        )
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Howard Hinnant's days-from-civil for the proleptic Gregorian calendar.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

fn strip_comments(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut depth = 0usize;
    let mut i = 0;
    while i < value.len() {
        match value[i] {
            b'\\' if depth > 0 => i += 1,
            b'(' => depth += 1,
            b')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(b' ');
                }
            }
            byte if depth == 0 => out.push(byte),
            _ => {}
        }
        i += 1;
    }
    out
}

fn month_from_name(word: &[u8]) -> Option<u8> {
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.as_bytes().eq_ignore_ascii_case(&word[..3]))
        .map(|i| i as u8 + 1)
}

/// RFC 5322 §4.3 obs-zone offsets in minutes; military letters and unknown
/// names mean -0000 ("SHOULD all be considered equivalent to -0000").
fn zone_from_name(word: &[u8]) -> i32 {
    let hours = match word
        .get(..3)
        .unwrap_or(word)
        .to_ascii_uppercase()
        .as_slice()
    {
        b"EST" => -5,
        b"EDT" => -4,
        b"CST" => -6,
        b"CDT" => -5,
        b"MST" => -7,
        b"MDT" => -6,
        b"PST" => -8,
        b"PDT" => -7,
        _ => 0,
    };
    hours * 60
}

fn number(word: &[u8]) -> Option<u32> {
    if word.is_empty() || word.len() > 9 || !word.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(word.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
}

/// Reads a date; `None` when no day, month, year and time can be found or a
/// field is out of range. Also accepts a Received value's date after `;`.
pub fn parse(value: &[u8]) -> Option<DateTime> {
    let value = match value.iter().rposition(|&b| b == b';') {
        Some(semi) => &value[semi + 1..],
        None => value,
    };
    let cleaned = strip_comments(value);
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut offset = None;
    for word in cleaned.split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b',')) {
        if word.is_empty() {
            continue;
        }
        if time.is_none() && word.contains(&b':') {
            let mut fields = word.split(|&b| b == b':').map(number);
            let hour = fields.next()??;
            let minute = fields.next()??;
            let second = fields.next().unwrap_or(Some(0))?;
            time = Some((hour, minute, second));
            continue;
        }
        if time.is_some() && offset.is_none() && matches!(word[0], b'+' | b'-') && word.len() >= 5 {
            let digits = number(&word[1..5])? as i32;
            let minutes = digits / 100 * 60 + digits % 100;
            offset = Some(if word[0] == b'-' { -minutes } else { minutes });
            continue;
        }
        if word[0].is_ascii_alphabetic() {
            if month.is_none()
                && day.is_some()
                && let Some(m) = month_from_name(word)
            {
                month = Some(u32::from(m));
            } else if time.is_some() && offset.is_none() {
                offset = Some(zone_from_name(word));
            } else if day.is_some() && month.is_none() {
                return None;
            }
            continue;
        }
        let Some(n) = number(word) else { continue };
        if day.is_none() {
            day = Some(n);
        } else if month.is_none() {
            month = Some(n);
        } else if year.is_none() {
            year = Some(match (word.len(), n) {
                (2, n) if n < 50 => 2000 + n,
                (2 | 3, n) => 1900 + n,
                (_, n) => n,
            });
        }
    }
    let (hour, minute, second) = time?;
    let date = DateTime {
        year: i32::try_from(year?).ok()?,
        month: u8::try_from(month?).ok()?,
        day: u8::try_from(day?).ok()?,
        hour: u8::try_from(hour).ok()?,
        minute: u8::try_from(minute).ok()?,
        second: u8::try_from(second).ok()?,
        offset_minutes: offset.unwrap_or(0),
    };
    let valid = (1..=12).contains(&date.month)
        && (1..=31).contains(&date.day)
        && date.hour < 24
        && date.minute < 60
        && date.second <= 60
        && date.offset_minutes.abs() < 100 * 60;
    valid.then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8, off: i32) -> Option<DateTime> {
        Some(DateTime {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
            offset_minutes: off,
        })
    }

    /// RFC 5322 Appendix A.1.1, A.3, A.5, A.6.2 and §4.3 obsolete forms.
    #[test]
    fn known_answers() {
        let table = [
            // A.1.1
            (
                "Fri, 21 Nov 1997 09:55:06 -0600",
                dt(1997, 11, 21, 9, 55, 6, -360),
            ),
            // A.3
            (
                "Mon, 24 Nov 1997 14:22:01 -0800",
                dt(1997, 11, 24, 14, 22, 1, -480),
            ),
            // A.5: comments and folding.
            (
                "Thu,\r\n 13\r\n  Feb\r\n    1969\r\n  23:32\r\n  -0330 (Newfoundland Time)",
                dt(1969, 2, 13, 23, 32, 0, -210),
            ),
            // A.6.2: two-digit year and obs-zone.
            ("21 Nov 97 09:55:06 GMT", dt(1997, 11, 21, 9, 55, 6, 0)),
            // §4.3: 2-digit years below 50 are 20xx, three digits add 1900.
            ("1 Jan 49 00:00 +0000", dt(2049, 1, 1, 0, 0, 0, 0)),
            ("1 Jan 103 00:00 +0000", dt(2003, 1, 1, 0, 0, 0, 0)),
            (
                "Sun, 27 Oct 2002 23:57:07 EST",
                dt(2002, 10, 27, 23, 57, 7, -300),
            ),
            (
                "Sun, 27 Oct 2002 23:57:07 PDT",
                dt(2002, 10, 27, 23, 57, 7, -420),
            ),
            // §4.3: military zones are -0000.
            (
                "Thu, 10 Jul 1997 14:53:31 A",
                dt(1997, 7, 10, 14, 53, 31, 0),
            ),
            ("13 zzz 2021 09:55:06 +0200", None),
            ("Tue, 7 00 2026 19:14:51 +0000", None),
            ("not a date", None),
            ("", None),
            ("99 Jan 2000 10:00:00 +0000", None),
        ];
        for (input, expected) in table {
            assert_eq!(parse(input.as_bytes()), expected, "{input:?}");
        }
    }

    #[test]
    fn timestamps() {
        let date = parse(b"Fri, 21 Nov 1997 09:55:06 -0600").unwrap_or_else(|| unreachable!());
        assert_eq!(date.timestamp(), 880_127_706);
        assert_eq!(DateTime::from_timestamp(880_127_706, -360), date);
        assert_eq!(date.to_rfc5322(), "Fri, 21 Nov 1997 09:55:06 -0600");
        assert_eq!(
            DateTime::from_timestamp(0, 0).to_rfc5322(),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        // Extremes give some date, never an overflow.
        assert!(
            DateTime::from_timestamp(i64::MAX, i32::MAX)
                .to_rfc5322()
                .len()
                > 20
        );
        assert!(
            DateTime::from_timestamp(i64::MIN, i32::MIN)
                .to_rfc5322()
                .len()
                > 20
        );
    }
}
