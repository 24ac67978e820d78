-- An order carries the merchant's name and fee plan as they were when it
-- was made: the payment, the scan and the checkout page then read nothing
-- but the order, and a fee plan changed later does not change the price
-- of an order already shown to a payer.
ALTER TABLE orders ADD COLUMN merchant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN fee_rate_bps INTEGER NOT NULL DEFAULT 60;
UPDATE orders SET
    merchant_name = (SELECT name FROM merchants WHERE merchants.id = orders.merchant_id),
    fee_rate_bps = (SELECT fee_rate_bps FROM merchants WHERE merchants.id = orders.merchant_id);
