"""SIP trunks: inbound (carrier -> us) and outbound (us -> carrier, for transfers)."""
