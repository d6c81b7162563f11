//! Byte offsets in a file ↔ LSP positions: lines from 0, characters counted in UTF-16 code
//! units (the protocol's default encoding), so a line of Chinese text maps one character to
//! one unit and a character outside the BMP to two.

use lsp_types::Position;

/// The line starts of one text, to convert positions without rescanning it.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes a text.
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect();
        Lines { starts }
    }

    /// The position of byte `offset` of `text` (clamped to the text, rounded down to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = text.get(start..offset).map_or(0, |s| s.encode_utf16().count());
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of a position (clamped to its line; a position inside a surrogate pair
    /// moves to the character's start).
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else { return text.len() };
        let end = self.starts.get(pos.line as usize + 1).map_or(text.len(), |&e| e.saturating_sub(1));
        let line = text.get(start..end).unwrap_or("");
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units + c.len_utf16() as u32 > pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, text: &str, start: usize, end: usize) -> lsp_types::Range {
        lsp_types::Range { start: self.position(text, start), end: self.position(text, end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counts_one_unit_per_character_and_astral_two() {
        let text = "ab\nrole 运营经理 {\n  𠀀x\n";
        let lines = Lines::new(text);
        let at = text.find('经').unwrap_or_default();
        assert_eq!(lines.position(text, at), Position { line: 1, character: 7 });
        assert_eq!(lines.offset(text, Position { line: 1, character: 7 }), at);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(lines.position(text, x), Position { line: 2, character: 4 }, "𠀀 is two UTF-16 units");
        assert_eq!(lines.offset(text, Position { line: 2, character: 4 }), x);
        assert_eq!(lines.offset(text, Position { line: 0, character: 99 }), 2, "clamped to the line");
        assert_eq!(lines.offset(text, Position { line: 9, character: 0 }), text.len());
    }
}
