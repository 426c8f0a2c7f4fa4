CREATE INDEX notes_owner_idx ON notes (owner);
