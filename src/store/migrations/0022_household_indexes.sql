-- The look-ups from a client to its household's accounts (issue 15's load: the API's account
-- summary asks whether the household holds both a taxable and a tax-deferred account, for asset
-- location). Without these SQLite walked every account of the book for each summary (about
-- 25 ms at 100,000 accounts); with them it reads the household's few rows.
CREATE INDEX clients_household ON clients (household_id);
CREATE INDEX accounts_client ON accounts (client_id);
