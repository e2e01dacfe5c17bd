package sandbox

import "strings"

// country is everything the generator knows about a country: how its
// people are named, how its phone numbers, streets and legal suffixes look,
// and a few cities.
type country struct {
	code, name string
	aliases    []string // other ways systems spell the country
	dial       string   // calling code without "+"
	trunk      string   // national trunk prefix ("0"), "" for none
	mobile     []string // mobile prefixes (national, after the trunk)
	subLen     int      // subscriber digits after the area code
	tld        string
	suffixes   []string // legal suffixes; "" is no suffix
	origin     int
	numFirst   bool // "12 Main Street" rather than "Hauptstraße 12"
	streets    []string
	weight     int
	cities     []city
}

// city is a city with its state or region, a postal code and the phone area
// code (national, without trunk prefix).
type city struct{ name, state, postal, area string }

var countries = []country{
	{code: "US", name: "United States", aliases: list("USA, US, U.S., United States of America"), dial: "1",
		subLen: 7, tld: "com", suffixes: bars("Inc.|LLC|Corp.|Inc.|Co."), origin: oAnglo, numFirst: true, weight: 40,
		streets: list("Market Street, Main Street, Oak Avenue, Maple Drive, Park Avenue, Lake Shore Blvd, Washington Street, Lincoln Road, Mission Street, Elm Street, Broadway, 5th Avenue"),
		cities: []city{{"San Francisco", "CA", "94105", "415"}, {"New York", "NY", "10001", "212"}, {"Austin", "TX", "78701", "512"},
			{"Chicago", "IL", "60601", "312"}, {"Seattle", "WA", "98101", "206"}, {"Boston", "MA", "02108", "617"},
			{"Denver", "CO", "80202", "303"}, {"Atlanta", "GA", "30303", "404"}, {"Miami", "FL", "33131", "305"},
			{"Los Angeles", "CA", "90012", "213"}, {"Portland", "OR", "97204", "503"}, {"Minneapolis", "MN", "55401", "612"},
			{"Phoenix", "AZ", "85004", "602"}, {"Dallas", "TX", "75201", "214"}, {"Raleigh", "NC", "27601", "919"}}},
	{code: "GB", name: "United Kingdom", aliases: list("UK, GB, Great Britain, England"), dial: "44", trunk: "0",
		mobile: list("7700, 7911, 7480"), subLen: 7, tld: "co.uk", suffixes: bars("Ltd|Ltd|PLC|Limited"), origin: oAnglo,
		numFirst: true, weight: 8, streets: list("High Street, Station Road, Victoria Road, Church Lane, King Street, Queen's Road"),
		cities: []city{{"London", "", "EC1A 1BB", "20"}, {"Manchester", "", "M1 1AE", "161"}, {"Edinburgh", "Scotland", "EH1 1YZ", "131"},
			{"Bristol", "", "BS1 4DJ", "117"}}},
	{code: "DE", name: "Germany", aliases: list("Deutschland, DE, GER"), dial: "49", trunk: "0", mobile: list("151, 160, 170, 176"),
		subLen: 8, tld: "de", suffixes: bars("GmbH|GmbH|AG|GmbH & Co. KG"), origin: oGerman, weight: 8,
		streets: list("Hauptstraße, Bahnhofstraße, Gartenstraße, Schillerstraße, Lindenallee, Friedrichstraße, Marktplatz"),
		cities: []city{{"Berlin", "Berlin", "10115", "30"}, {"München", "Bayern", "80331", "89"}, {"Hamburg", "Hamburg", "20095", "40"},
			{"Frankfurt am Main", "Hessen", "60311", "69"}, {"Köln", "Nordrhein-Westfalen", "50667", "221"}}},
	{code: "CA", name: "Canada", aliases: list("CA, CAN"), dial: "1", subLen: 7, tld: "ca", suffixes: bars("Inc.|Ltd.|Corp."),
		origin: oAnglo, numFirst: true, weight: 5, streets: list("King Street West, Yonge Street, Granville Street, Rue Sainte-Catherine"),
		cities: []city{{"Toronto", "ON", "M5H 2N2", "416"}, {"Vancouver", "BC", "V6B 1A1", "604"}, {"Montréal", "QC", "H2Y 1C6", "514"}}},
	{code: "FR", name: "France", aliases: list("FR, FRA, République française"), dial: "33", trunk: "0", mobile: list("6, 7"),
		subLen: 8, tld: "fr", suffixes: bars("SA|SAS|SARL"), origin: oFrench, numFirst: true, weight: 4,
		streets: list("rue de Rivoli, avenue des Champs-Élysées, rue de la République, boulevard Haussmann, rue Victor Hugo"),
		cities:  []city{{"Paris", "Île-de-France", "75001", "1"}, {"Lyon", "Auvergne-Rhône-Alpes", "69001", "4"}, {"Toulouse", "Occitanie", "31000", "5"}}},
	{code: "NL", name: "Netherlands", aliases: list("NL, The Netherlands, Holland, Nederland"), dial: "31", trunk: "0", mobile: list("6"),
		subLen: 7, tld: "nl", suffixes: bars("B.V.|B.V.|N.V."), origin: oNordic, weight: 3,
		streets: list("Herengracht, Keizersgracht, Stationsplein, Kalverstraat, Coolsingel"),
		cities:  []city{{"Amsterdam", "Noord-Holland", "1012 AB", "20"}, {"Rotterdam", "Zuid-Holland", "3011 AD", "10"}, {"Utrecht", "Utrecht", "3511 AX", "30"}}},
	{code: "ES", name: "Spain", aliases: list("ES, España, ESP"), dial: "34", mobile: list("6"), subLen: 7, tld: "es",
		suffixes: bars("S.L.|S.A."), origin: oSpanish, weight: 3, streets: list("Calle Mayor, Gran Vía, Paseo de Gracia, Calle de Alcalá"),
		cities: []city{{"Madrid", "Madrid", "28001", "91"}, {"Barcelona", "Cataluña", "08001", "93"}, {"Valencia", "Valencia", "46001", "96"}}},
	{code: "IT", name: "Italy", aliases: list("IT, Italia, ITA"), dial: "39", mobile: list("3"), subLen: 7, tld: "it",
		suffixes: bars("S.p.A.|S.r.l."), origin: oItalian, weight: 2, streets: list("Via Roma, Corso Venezia, Via Torino, Via Garibaldi"),
		cities: []city{{"Milano", "Lombardia", "20121", "02"}, {"Roma", "Lazio", "00184", "06"}, {"Torino", "Piemonte", "10121", "011"}}},
	{code: "SE", name: "Sweden", aliases: list("SE, Sverige, SWE"), dial: "46", trunk: "0", mobile: list("70, 73"), subLen: 7, tld: "se",
		suffixes: bars("AB"), origin: oNordic, weight: 2, streets: list("Drottninggatan, Kungsgatan, Storgatan, Sveavägen"),
		cities: []city{{"Stockholm", "Stockholm", "111 20", "8"}, {"Göteborg", "Västra Götaland", "411 01", "31"}}},
	{code: "CH", name: "Switzerland", aliases: list("CH, Schweiz, Suisse"), dial: "41", trunk: "0", mobile: list("79, 78"), subLen: 7,
		tld: "ch", suffixes: bars("AG|GmbH|SA"), origin: oGerman, weight: 2, streets: list("Bahnhofstrasse, Limmatquai, Rue du Rhône"),
		cities: []city{{"Zürich", "ZH", "8001", "44"}, {"Genève", "GE", "1201", "22"}, {"Basel", "BS", "4051", "61"}}},
	{code: "IE", name: "Ireland", aliases: list("IE, Éire, Republic of Ireland"), dial: "353", trunk: "0", mobile: list("85, 87"), subLen: 7,
		tld: "ie", suffixes: bars("Ltd|Limited|DAC"), origin: oAnglo, numFirst: true, weight: 1, streets: list("Grafton Street, O'Connell Street, Baggot Street"),
		cities: []city{{"Dublin", "Dublin", "D02 X285", "1"}, {"Cork", "Cork", "T12 RX7D", "21"}}},
	{code: "IN", name: "India", aliases: list("IN, IND, Bharat"), dial: "91", trunk: "0", mobile: list("98, 99, 70"), subLen: 8, tld: "in",
		suffixes: bars("Pvt. Ltd.|Private Limited|Ltd."), origin: oIndian, numFirst: true, weight: 5,
		streets: list("MG Road, Brigade Road, Linking Road, Anna Salai, Park Street"),
		cities: []city{{"Bengaluru", "Karnataka", "560001", "80"}, {"Mumbai", "Maharashtra", "400001", "22"}, {"Hyderabad", "Telangana", "500001", "40"},
			{"Chennai", "Tamil Nadu", "600001", "44"}}},
	{code: "JP", name: "Japan", aliases: list("JP, JPN, Nippon"), dial: "81", trunk: "0", mobile: list("90, 80"), subLen: 8, tld: "co.jp",
		suffixes: bars("K.K.|Co., Ltd."), origin: oJapanese, numFirst: true, weight: 3, streets: list("Marunouchi, Shibuya, Umeda, Roppongi"),
		cities: []city{{"Tokyo", "Tokyo", "100-0005", "3"}, {"Osaka", "Osaka", "530-0001", "6"}}},
	{code: "CN", name: "China", aliases: list("CN, PRC, People's Republic of China"), dial: "86", trunk: "0", mobile: list("138, 139"), subLen: 8,
		tld: "cn", suffixes: bars("Co., Ltd.|Ltd."), origin: oChinese, numFirst: true, weight: 2, streets: list("Nanjing Road, Huaihai Road, Jianguo Road"),
		cities: []city{{"Shanghai", "Shanghai", "200000", "21"}, {"Shenzhen", "Guangdong", "518000", "755"}}},
	{code: "KR", name: "South Korea", aliases: list("KR, Korea, Republic of Korea"), dial: "82", trunk: "0", mobile: list("10"), subLen: 8,
		tld: "co.kr", suffixes: bars("Co., Ltd.|Inc."), origin: oKorean, numFirst: true, weight: 1, streets: list("Teheran-ro, Sejong-daero"),
		cities: []city{{"Seoul", "Seoul", "04524", "2"}, {"Busan", "Busan", "48058", "51"}}},
	{code: "AU", name: "Australia", aliases: list("AU, AUS, Commonwealth of Australia"), dial: "61", trunk: "0", mobile: list("4"), subLen: 8,
		tld: "com.au", suffixes: bars("Pty Ltd|Pty. Ltd.|Ltd"), origin: oAnglo, numFirst: true, weight: 4,
		streets: list("George Street, Collins Street, Queen Street, Pitt Street"),
		cities:  []city{{"Sydney", "NSW", "2000", "2"}, {"Melbourne", "VIC", "3000", "3"}, {"Brisbane", "QLD", "4000", "7"}}},
	{code: "BR", name: "Brazil", aliases: list("BR, Brasil, BRA"), dial: "55", trunk: "0", mobile: list("9"), subLen: 8, tld: "com.br",
		suffixes: bars("Ltda.|S.A."), origin: oPortuguese, weight: 3, streets: list("Avenida Paulista, Rua Augusta, Rua Oscar Freire"),
		cities: []city{{"São Paulo", "SP", "01310-100", "11"}, {"Rio de Janeiro", "RJ", "20040-020", "21"}}},
	{code: "MX", name: "Mexico", aliases: list("MX, México, MEX"), dial: "52", mobile: list("1"), subLen: 8, tld: "com.mx",
		suffixes: bars("S.A. de C.V.|S. de R.L."), origin: oSpanish, weight: 2, streets: list("Paseo de la Reforma, Avenida Insurgentes"),
		cities: []city{{"Ciudad de México", "CDMX", "06600", "55"}, {"Monterrey", "NL", "64000", "81"}}},
	{code: "SG", name: "Singapore", aliases: list("SG, SGP, Republic of Singapore"), dial: "65", mobile: list("9, 8"), subLen: 7, tld: "com.sg",
		suffixes: bars("Pte. Ltd.|Pte Ltd"), origin: oChinese, numFirst: true, weight: 2, streets: list("Orchard Road, Raffles Place, Robinson Road"),
		cities: []city{{"Singapore", "", "048583", "6"}}},
	{code: "AE", name: "United Arab Emirates", aliases: list("UAE, AE, Emirates"), dial: "971", trunk: "0", mobile: list("50, 55"), subLen: 7,
		tld: "ae", suffixes: bars("LLC|FZ-LLC|FZE"), origin: oArabic, numFirst: true, weight: 1, streets: list("Sheikh Zayed Road, Al Wasl Road"),
		cities: []city{{"Dubai", "Dubai", "00000", "4"}, {"Abu Dhabi", "Abu Dhabi", "00000", "2"}}},
	{code: "NG", name: "Nigeria", aliases: list("NG, NGA, Federal Republic of Nigeria"), dial: "234", trunk: "0", mobile: list("803, 805"), subLen: 7,
		tld: "com.ng", suffixes: bars("Ltd|Limited|PLC"), origin: oWestAfrican, numFirst: true, weight: 1, streets: list("Broad Street, Adeola Odeku Street"),
		cities: []city{{"Lagos", "Lagos", "100001", "1"}, {"Abuja", "FCT", "900001", "9"}}},
	{code: "PL", name: "Poland", aliases: list("PL, Polska, POL"), dial: "48", mobile: list("50, 60"), subLen: 7, tld: "pl",
		suffixes: bars("Sp. z o.o.|S.A."), origin: oSlavic, weight: 2, streets: list("ulica Marszałkowska, ulica Floriańska, Aleje Jerozolimskie"),
		cities: []city{{"Warszawa", "Mazowieckie", "00-001", "22"}, {"Kraków", "Małopolskie", "30-001", "12"}}},
}

// countryByDial finds the country of an E.164 number and the national
// number after its calling code.
func countryByDial(e164 string) (*country, string) {
	digits := strings.TrimPrefix(e164, "+")
	for i := range countries {
		c := &countries[i]
		if strings.HasPrefix(digits, c.dial) {
			return c, digits[len(c.dial):]
		}
	}
	return nil, digits
}

// areaLen returns how many leading digits of national are the area code
// (or mobile prefix) in c.
func (c *country) areaLen(national string) int {
	best := 0
	for _, ct := range c.cities {
		if len(ct.area) > best && strings.HasPrefix(national, ct.area) {
			best = len(ct.area)
		}
	}
	for _, m := range c.mobile {
		if len(m) > best && strings.HasPrefix(national, m) {
			best = len(m)
		}
	}
	if best == 0 && len(national) > 7 {
		best = len(national) - 7
	}
	return best
}
