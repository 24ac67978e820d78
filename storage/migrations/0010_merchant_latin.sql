-- The merchant's name and city in printable ASCII, for the EMVCo QR fields
-- (59, 60) that take nothing else. Empty for merchants made before: the
-- merchant package transliterates their name and city when it reads them.

ALTER TABLE merchants ADD COLUMN name_latin TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN city_latin TEXT NOT NULL DEFAULT '';
