use std::fmt;
use std::path::{Path, PathBuf};

/// A rejected input, naming the file and, where it applies, the line, column and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestError {
    pub file: PathBuf,
    /// 1-based line number.
    pub line: Option<usize>,
    /// 1-based column (field) number.
    pub column: Option<usize>,
    /// The field's name (header text), when known.
    pub field: Option<String>,
    pub message: String,
}

impl IngestError {
    pub fn file(file: &Path, message: impl Into<String>) -> IngestError {
        IngestError { file: file.to_path_buf(), line: None, column: None, field: None, message: message.into() }
    }
    pub fn at(file: &Path, line: usize, message: impl Into<String>) -> IngestError {
        IngestError { line: Some(line), ..IngestError::file(file, message) }
    }
    pub fn cell(
        file: &Path,
        line: usize,
        column: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> IngestError {
        IngestError {
            line: Some(line),
            column: Some(column),
            field: Some(field.into()),
            ..IngestError::file(file, message)
        }
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(name) = &self.field {
            write!(f, " (field {name})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for IngestError {}
