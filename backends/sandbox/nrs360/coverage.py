"""SMS coverage and prices of the emulator: real MCC/MNC codes, plausible EUR prices.

Prices are per SMS part in EUR, in the range wholesale-backed platforms quote in 2024-25
(cheap in the Americas' big markets, dear in the Benelux and Germany). Every country has a
"Default" route (MNC null) for numbers whose network is unknown; it is charged at the
country's highest network price, as platforms do when they cannot pick the route.
"""

from __future__ import annotations

from dataclasses import dataclass

CURRENCY = "EUR"
CURRENCY_SYMBOL = "€"
DEFAULT_NETWORK = "Default"


@dataclass(frozen=True)
class Network:
    """A mobile network and the price of one SMS part to it."""

    name: str
    mcc: str
    mnc: str
    cost: float


@dataclass(frozen=True)
class Country:
    """A country: ISO code, name, international dialling code and networks."""

    iso: str
    name: str
    dial_code: str
    networks: tuple[Network, ...]

    @property
    def mcc(self) -> str:
        """The country's main mobile country code."""
        return self.networks[0].mcc

    @property
    def default_cost(self) -> float:
        """Price of the Default route."""
        return max(n.cost for n in self.networks)


def _c(iso: str, name: str, dial: str, mcc: str, *nets: tuple[str, str, float]) -> Country:
    """A country whose networks share one MCC; a network's MNC may carry its own `mcc-`."""
    networks = []
    for net_name, code, cost in nets:
        net_mcc, _, mnc = code.rpartition("-")
        networks.append(Network(net_name, net_mcc or mcc, mnc, cost))
    return Country(iso, name, dial, tuple(networks))


COUNTRIES: tuple[Country, ...] = (
    _c("AD", "Andorra", "376", "213", ("Servei De Tele. DAndorra", "003", 0.065)),
    _c("AE", "United Arab Emirates", "971", "424",
       ("Etisalat", "02", 0.0868), ("DU", "03", 0.0868)),
    _c("AR", "Argentina", "54", "722",
       ("Claro", "310", 0.0612), ("Movistar", "070", 0.0598), ("Personal", "340", 0.0625)),
    _c("AT", "Austria", "43", "232",
       ("A1 Telekom", "01", 0.0791), ("Magenta Telekom", "03", 0.0785), ("Drei", "05", 0.0802)),
    _c("AU", "Australia", "61", "505",
       ("Telstra", "01", 0.0452), ("Optus", "02", 0.0448), ("Vodafone", "03", 0.0455)),
    _c("BE", "Belgium", "32", "206",
       ("Proximus", "01", 0.0884), ("Orange", "10", 0.0879), ("BASE", "20", 0.0891)),
    _c("BO", "Bolivia", "591", "736",
       ("Viva", "01", 0.0709), ("Entel", "02", 0.0712), ("Tigo", "03", 0.0705)),
    _c("BR", "Brazil", "55", "724",
       ("TIM", "02", 0.0238), ("Claro", "05", 0.0241), ("Vivo", "06", 0.0236),
       ("Oi", "31", 0.0252)),
    _c("CA", "Canada", "1", "302",
       ("Telus", "220", 0.0095), ("Bell", "610", 0.0095), ("Rogers", "720", 0.0098)),
    _c("CH", "Switzerland", "41", "228",
       ("Swisscom", "01", 0.0688), ("Sunrise", "02", 0.0691), ("Salt", "03", 0.0695)),
    _c("CL", "Chile", "56", "730",
       ("Entel", "01", 0.0581), ("Movistar", "02", 0.0577), ("Claro", "03", 0.0585),
       ("WOM", "09", 0.0592)),
    _c("CO", "Colombia", "57", "732",
       ("Claro", "101", 0.0185), ("Tigo", "103", 0.0189), ("Movistar", "123", 0.0187),
       ("WOM", "360", 0.0195)),
    _c("CR", "Costa Rica", "506", "712",
       ("Kolbi ICE", "01", 0.0392), ("Claro", "03", 0.0398), ("Liberty", "04", 0.0401)),
    _c("CZ", "Czech Republic", "420", "230",
       ("T-Mobile", "01", 0.0431), ("O2", "02", 0.0428), ("Vodafone", "03", 0.0436)),
    _c("DE", "Germany", "49", "262",
       ("Telekom", "01", 0.0751), ("Vodafone", "02", 0.0748), ("O2 Telefónica", "03", 0.0759)),
    _c("DK", "Denmark", "45", "238",
       ("TDC", "01", 0.0412), ("Telenor", "02", 0.0415), ("3", "06", 0.0419),
       ("Telia", "20", 0.0416)),
    _c("DO", "Dominican Republic", "1809", "370",
       ("Altice", "01", 0.0548), ("Claro", "02", 0.0551), ("Viva", "04", 0.0563)),
    _c("EC", "Ecuador", "593", "740",
       ("Movistar", "00", 0.0641), ("Claro", "01", 0.0638), ("CNT", "02", 0.0649)),
    _c("ES", "Spain", "34", "214",
       ("Vodafone", "01", 0.0452), ("Orange", "03", 0.0449), ("Yoigo", "04", 0.0455),
       ("Movistar", "07", 0.0445), ("Digi", "22", 0.0468)),
    _c("FI", "Finland", "358", "244",
       ("Elisa", "05", 0.0618), ("DNA", "12", 0.0624), ("Telia", "91", 0.0621)),
    _c("FR", "France", "33", "208",
       ("Orange", "01", 0.0672), ("SFR", "10", 0.0668), ("Free Mobile", "15", 0.0681),
       ("Bouygues Telecom", "20", 0.0675)),
    _c("GB", "United Kingdom", "44", "234",
       ("O2", "10", 0.0352), ("Vodafone", "15", 0.0349), ("Three", "20", 0.0355),
       ("EE", "30", 0.0347)),
    _c("GR", "Greece", "30", "202",
       ("Cosmote", "01", 0.0518), ("Vodafone", "05", 0.0522), ("Nova", "10", 0.0527)),
    _c("GT", "Guatemala", "502", "704",
       ("Claro", "01", 0.0468), ("Tigo", "02", 0.0472)),
    _c("IE", "Ireland", "353", "272",
       ("Vodafone", "01", 0.0588), ("Eir", "03", 0.0592), ("Three", "05", 0.0585)),
    _c("IN", "India", "91", "404",
       ("Airtel", "10", 0.0071), ("Vi", "20", 0.0073), ("Jio", "405-857", 0.0069)),
    _c("IT", "Italy", "39", "222",
       ("TIM", "01", 0.0684), ("Vodafone", "10", 0.0679), ("Iliad", "50", 0.0692),
       ("WindTre", "88", 0.0688)),
    _c("MA", "Morocco", "212", "604",
       ("Orange", "00", 0.0812), ("Maroc Telecom", "01", 0.0808), ("Inwi", "02", 0.0819)),
    _c("MX", "Mexico", "52", "334",
       ("Telcel", "020", 0.0209), ("Movistar", "030", 0.0214), ("AT&T", "050", 0.0211)),
    _c("NL", "Netherlands", "31", "204",
       ("Vodafone", "04", 0.0851), ("KPN", "08", 0.0848), ("Odido", "16", 0.0856)),
    _c("NO", "Norway", "47", "242",
       ("Telenor", "01", 0.0521), ("Telia", "02", 0.0518), ("Ice", "14", 0.0529)),
    _c("PA", "Panama", "507", "714",
       ("Cable & Wireless", "01", 0.0608), ("Tigo", "020", 0.0612), ("Claro", "03", 0.0615)),
    _c("PE", "Peru", "51", "716",
       ("Movistar", "06", 0.0451), ("Claro", "10", 0.0448), ("Bitel", "15", 0.0459),
       ("Entel", "17", 0.0455)),
    _c("PL", "Poland", "48", "260",
       ("Plus", "01", 0.0321), ("T-Mobile", "02", 0.0318), ("Orange", "03", 0.0319),
       ("Play", "06", 0.0325)),
    _c("PT", "Portugal", "351", "268",
       ("Vodafone", "01", 0.0392), ("NOS", "03", 0.0395), ("MEO", "06", 0.0389)),
    _c("PY", "Paraguay", "595", "744",
       ("Claro", "02", 0.0594), ("Tigo", "04", 0.0588), ("Personal", "05", 0.0591)),
    _c("RO", "Romania", "40", "226",
       ("Vodafone", "01", 0.0441), ("Telekom", "03", 0.0446), ("Digi", "05", 0.0452),
       ("Orange", "10", 0.0438)),
    _c("SE", "Sweden", "46", "240",
       ("Telia", "01", 0.0481), ("3", "02", 0.0486), ("Tele2", "07", 0.0478),
       ("Telenor", "08", 0.0483)),
    _c("SV", "El Salvador", "503", "706",
       ("Claro", "01", 0.0482), ("Tigo", "03", 0.0479), ("Movistar", "04", 0.0488)),
    _c("TR", "Turkey", "90", "286",
       ("Turkcell", "01", 0.0182), ("Vodafone", "02", 0.0185), ("Türk Telekom", "03", 0.0188)),
    _c("US", "United States", "1", "310",
       ("T-Mobile", "260", 0.0085), ("AT&T", "410", 0.0085), ("Verizon", "311-480", 0.0087)),
    _c("UY", "Uruguay", "598", "748",
       ("Antel", "01", 0.0552), ("Movistar", "07", 0.0549), ("Claro", "10", 0.0558)),
    _c("VE", "Venezuela", "58", "734",
       ("Digitel", "02", 0.0661), ("Movistar", "04", 0.0665), ("Movilnet", "06", 0.0672)),
    _c("ZA", "South Africa", "27", "655",
       ("Vodacom", "01", 0.0291), ("Telkom", "02", 0.0298), ("Cell C", "07", 0.0295),
       ("MTN", "10", 0.0289)),
)  # fmt: skip

BY_ISO = {c.iso: c for c in COUNTRIES}
# Longest dialling codes first, so 1809 (Dominican Republic) wins over 1 (United States).
_BY_DIAL = sorted(
    ((c.dial_code, c) for c in COUNTRIES if c.iso != "CA"), key=lambda pair: -len(pair[0])
)


def country_of_phone(phone: str) -> Country | None:
    """The country of an international phone number, by its dialling code.

    +1 numbers are taken as the United States: telling Canadian area codes apart is
    beyond what a report column needs.
    """
    digits = phone.lstrip("+").removeprefix("00")
    return next((c for dial, c in _BY_DIAL if digits.startswith(dial)), None)


def network_rows() -> list[dict[str, object]]:
    """GET /sms/coverage rows: per country its Default route, then its networks by name."""
    rows: list[dict[str, object]] = []
    for country in sorted(COUNTRIES, key=lambda c: c.iso):
        routes = [Network(DEFAULT_NETWORK, country.mcc, "", country.default_cost)]
        routes += sorted(country.networks, key=lambda n: n.name.lower())
        for net in routes:
            rows.append(
                {
                    "countryIso": country.iso,
                    "countryName": country.name,
                    "networkName": net.name,
                    "mcc": net.mcc,
                    "mnc": net.mnc or None,
                    "cost": net.cost,
                    "currencyCode": CURRENCY,
                    "currencySymbol": CURRENCY_SYMBOL,
                }
            )
    return rows


def country_rows() -> list[dict[str, object]]:
    """GET /sms/coverageByCountry rows: named networks (not Default) and the price range."""
    rows: list[dict[str, object]] = []
    for country in sorted(COUNTRIES, key=lambda c: c.iso):
        costs = [n.cost for n in country.networks]
        rows.append(
            {
                "countryIso": country.iso,
                "countryName": country.name,
                "networks": sorted((n.name for n in country.networks), key=str.lower),
                "minCost": min(costs),
                "maxCost": max(costs),
                "currencyCode": CURRENCY,
                "currencySymbol": CURRENCY_SYMBOL,
            }
        )
    return rows
