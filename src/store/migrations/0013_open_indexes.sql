-- The daily cycle's look-ups of what is still open (issue 12's scale): every run lapses the
-- firm's proposals still waiting for a client's confirmation and lists the firm's open and
-- partly filled orders. Through proposals_day and orders_day both read every proposal and
-- order the firm ever had, a cost that grew with the book's history (a million accounts
-- trading a day added a million orders a day). By status they read only the open ones.
CREATE INDEX proposals_status ON proposals (firm_id, status);
