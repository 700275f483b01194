"""Supply offers: the /offer dialog on the engine, /myoffers, /match and accepting a pair."""
