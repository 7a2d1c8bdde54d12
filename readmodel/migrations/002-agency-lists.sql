-- An agency's list reads the pathways it has been referred on.
CREATE INDEX pathways_referral_agencies ON pathways USING gin (referral_agencies);
