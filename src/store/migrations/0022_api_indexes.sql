-- Indexes for the API's requests on a large book (issue 15's load: 100,000 accounts), each of
-- which read a whole table before:
-- - the account summary asks whether the client's household holds both a taxable and a
--   tax-deferred account (asset location): from a client to its household's clients and their
--   accounts (about 25 ms a summary at 100,000 accounts without them);
-- - approving a proposal checks that the account's cash and open orders fund its buys: the
--   account's open orders (the firm's every order before, about 30 ms an approval after two
--   days of 100,000 accounts trading).
CREATE INDEX clients_household ON clients (household_id);
CREATE INDEX accounts_client ON accounts (client_id);
CREATE INDEX orders_account ON orders (account_id, status);
