"""Where the project's data folders are: one place, so nothing hard-codes a path."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
REFERENCE_DIR = ROOT / "data" / "reference"
CORPUS_DIR = ROOT / "data" / "corpus"
LEXICON_DIR = ROOT / "loaders" / "lexicons"
DEFAULT_STORE = ROOT / "var" / "store"
DEFAULT_RELEASES = ROOT / "var" / "releases"
