"""Running a contract's quality check on a data file and keeping what it found."""
