CREATE TABLE notes (
  id serial PRIMARY KEY,
  owner text NOT NULL,
  title text NOT NULL,
  -- plaintext, or a Vault transit ciphertext (vault:v1:…) when the service runs with Vault
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
