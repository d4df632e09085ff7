"""GPS data tools shipped with the V2.17.0 release."""
