package sandbox

import "strings"

// The word lists the generator combines. Lists are comma-separated so that
// entries may hold spaces ("de Jong").

func list(s string) []string {
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// origin is a naming tradition: first and last names that go together.
type origin struct {
	first, last []string
}

const (
	oAnglo = iota
	oGerman
	oFrench
	oSpanish
	oItalian
	oNordic
	oIndian
	oChinese
	oJapanese
	oKorean
	oArabic
	oSlavic
	oPortuguese
	oWestAfrican
	numOrigins
)

var origins = [numOrigins]origin{
	oAnglo: {
		list(`James, Robert, John, Michael, William, David, Richard, Thomas, Christopher, Daniel, Matthew, Anthony,
			Steven, Andrew, Joshua, Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen,
			Katherine, Margaret, Emily, Rebecca, Victoria, Samuel, Benjamin, Nicholas, Jonathan, Edward, Timothy,
			Deborah, Olivia, Grace, Hannah, Alexander, Joseph, Rachel, Megan, Lauren, Ryan, Kevin, Brian`),
		list(`Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore, Martin,
			Jackson, Thompson, White, Harris, Clark, Lewis, Walker, Young, Allen, King, Wright, Scott, Hill, Green,
			Adams, Baker, Campbell, Mitchell, Roberts, Carter, Phillips, Evans, Turner, Parker, Collins, Edwards,
			Stewart, Murphy, Cook, Rogers, Morgan, Cooper, Reed, Bailey, Bell, Kelly, Howard, Ward, Cox, Richardson,
			Wood, Watson, Brooks, Bennett, Gray, Hughes, Price, Sanders, O'Brien, O'Connor, McDonald, Sullivan,
			Walsh, Byrne, MacLeod, Fitzgerald, Henderson`),
	},
	oGerman: {
		list(`Lukas, Jonas, Felix, Maximilian, Paul, Leon, Tobias, Johannes, Stefan, Andreas, Wolfgang, Jürgen, Uwe,
			Matthias, Florian, Anna, Lena, Julia, Katharina, Sabine, Petra, Ursula, Monika, Franziska, Laura, Sophie,
			Jana, Heike, Birgit, Claudia`),
		list(`Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch,
			Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Hofmann, Hartmann,
			Lange, Schmitt, Werner, Krause, Meier, Lehmann, Huber, Keller, Vogel, Friedrich, Günther`),
	},
	oFrench: {
		list(`Jean, Pierre, Louis, Nicolas, Julien, Antoine, François, Mathieu, Olivier, Thierry, Étienne, Hugo,
			Lucas, Camille, Marie, Sophie, Élodie, Chloé, Manon, Léa, Isabelle, Nathalie, Céline, Amélie, Margaux`),
		list(`Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent,
			Lefebvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André, Lefèvre,
			Mercier, Dupont, Lambert, Bonnet, François, Rousseau`),
	},
	oSpanish: {
		list(`José, Juan, Carlos, Javier, Alejandro, Miguel, Francisco, Diego, Pablo, Sergio, Andrés, Fernando, Luis,
			Jorge, Ricardo, María, Carmen, Lucía, Sofía, Isabel, Elena, Paula, Marta, Valentina, Camila, Gabriela,
			Ana, Rosa`),
		list(`García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Díaz, Hernández, Ruiz,
			Jiménez, Moreno, Muñoz, Álvarez, Romero, Torres, Ramírez, Flores, Vargas, Castillo, Ortiz, Morales,
			Reyes, Cruz, Mendoza, Navarro, Ramos, Delgado`),
	},
	oItalian: {
		list(`Giuseppe, Giovanni, Marco, Luca, Andrea, Francesco, Alessandro, Matteo, Lorenzo, Davide, Stefano,
			Paolo, Roberto, Giulia, Francesca, Chiara, Sara, Martina, Alessia, Valentina, Federica, Elisa, Silvia`),
		list(`Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti,
			De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, Mariani, Rinaldi`),
	},
	oNordic: {
		list(`Daan, Sem, Thijs, Bram, Jeroen, Pieter, Sander, Lars, Erik, Anders, Johan, Mikael, Nils, Sven, Søren,
			Emma, Sanne, Femke, Ingrid, Astrid, Freya, Linnea, Sofie, Maja, Karin`),
		list(`de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer, de Boer, Mulder, Bos,
			Vos, Peters, Hendriks, Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson,
			Svensson, Hansen, Jensen, Nielsen, Pedersen, Lindqvist, Berg`),
	},
	oIndian: {
		list(`Aarav, Vivaan, Aditya, Arjun, Rohan, Rahul, Vikram, Sanjay, Rajesh, Amit, Anil, Suresh, Pradeep,
			Karthik, Nikhil, Priya, Ananya, Divya, Kavya, Neha, Pooja, Sneha, Lakshmi, Deepika, Aishwarya, Meera, Shreya`),
		list(`Sharma, Verma, Gupta, Patel, Singh, Kumar, Reddy, Rao, Iyer, Nair, Menon, Joshi, Mehta, Shah, Desai,
			Kapoor, Malhotra, Chopra, Banerjee, Chatterjee, Mukherjee, Das, Bose, Pillai, Krishnan, Agarwal, Bhat, Kulkarni`),
	},
	oChinese: {
		list(`Wei, Jing, Min, Hao, Jun, Lei, Yang, Xin, Yu, Ming, Jie, Tao, Qiang, Fang, Hui, Yan, Ling, Xiu, Mei,
			Ying, Hong, Lan, Jia, Zhen, Bo`),
		list(`Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, He, Lin, Gao, Luo,
			Zheng, Liang, Xie, Tang, Feng`),
	},
	oJapanese: {
		list(`Haruto, Yuto, Sota, Riku, Kenji, Takeshi, Hiroshi, Daiki, Kaito, Ren, Shota, Yuki, Sakura, Yui, Aoi,
			Hina, Mei, Yuna, Haruka, Akiko, Naomi, Emi, Keiko, Mariko, Ayumi`),
		list(`Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, Yoshida, Yamada,
			Sasaki, Yamaguchi, Matsumoto, Inoue, Kimura, Hayashi, Shimizu, Yamazaki, Mori, Abe, Ikeda, Hashimoto, Ishikawa`),
	},
	oKorean: {
		list(`Min-jun, Seo-jun, Ji-ho, Do-yun, Ha-joon, Ji-woo, Seo-yeon, Min-seo, Su-bin, Ji-min, Hyun-woo, Eun-ji,
			Yeon-woo, Jae-won, Soo-ah`),
		list(`Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Seo, Shin, Kwon`),
	},
	oArabic: {
		list(`Mohammed, Ahmed, Ali, Omar, Youssef, Khalid, Hassan, Ibrahim, Tariq, Karim, Rami, Faisal, Samir, Nadia,
			Fatima, Aisha, Layla, Mariam, Yasmin, Noor, Huda, Rania, Salma, Leila, Amira`),
		list(`Al-Farsi, Haddad, Khalil, Nasser, Mansour, Saleh, Hamdan, Aziz, Rahman, Hussein, Abbas, Farouk,
			Qureshi, Darwish, El-Amin, Khoury, Saad, Bakr, Najjar, Sabbagh`),
	},
	oSlavic: {
		list(`Piotr, Tomasz, Krzysztof, Paweł, Marcin, Michał, Jakub, Andrzej, Dmitri, Ivan, Sergei, Alexei, Nikolai,
			Pavel, Milan, Katarzyna, Agnieszka, Magdalena, Ewa, Olga, Natalia, Irina, Tatiana, Zuzana, Petra`),
		list(`Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański, Woźniak,
			Dąbrowski, Kozłowski, Ivanov, Petrov, Smirnov, Volkov, Novak, Horvat, Kovačević, Dvořák, Svoboda, Novotný`),
	},
	oPortuguese: {
		list(`João, Pedro, Lucas, Gabriel, Rafael, Thiago, Bruno, Felipe, Rodrigo, Gustavo, Eduardo, Leonardo,
			Mateus, Ana, Beatriz, Mariana, Larissa, Fernanda, Juliana, Camila, Letícia, Bruna, Carolina, Vitória, Luana`),
		list(`Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa, Ribeiro,
			Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, Vieira, Barbosa, Rocha, Dias, Nascimento, Araújo, Moreira`),
	},
	oWestAfrican: {
		list(`Chinedu, Emeka, Oluwaseun, Tunde, Adebayo, Chukwuemeka, Ifeanyi, Kwame, Kofi, Yaw, Babajide, Olumide,
			Segun, Ngozi, Chiamaka, Adaeze, Folake, Funmilayo, Zainab, Amaka, Nneka, Yetunde, Efua, Ama, Abena`),
		list(`Okafor, Okonkwo, Adeyemi, Balogun, Eze, Nwosu, Obi, Okeke, Oladipo, Mensah, Owusu, Boateng, Asante,
			Danjuma, Abubakar, Onyeka, Chukwu, Afolabi, Adeleke, Nkrumah`),
	},
}

// nicknames maps formal first names to the short forms people file under.
var nicknames = map[string][]string{
	"Robert": {"Bob", "Rob", "Bobby"}, "William": {"Bill", "Will", "Billy"}, "Katherine": {"Kate", "Kathy", "Katie"},
	"Elizabeth": {"Liz", "Beth", "Lizzie"}, "Michael": {"Mike"}, "James": {"Jim", "Jimmy"}, "Richard": {"Rick", "Dick", "Rich"},
	"Thomas": {"Tom", "Tommy"}, "Jennifer": {"Jen", "Jenny"}, "Christopher": {"Chris"}, "Daniel": {"Dan", "Danny"},
	"Matthew": {"Matt"}, "Joseph": {"Joe"}, "Margaret": {"Maggie", "Peggy", "Meg"}, "Alexander": {"Alex"},
	"Benjamin": {"Ben"}, "Nicholas": {"Nick"}, "Samuel": {"Sam"}, "Patricia": {"Pat", "Trish"}, "Rebecca": {"Becky", "Becca"},
	"Jonathan": {"Jon"}, "Andrew": {"Andy", "Drew"}, "Anthony": {"Tony"}, "Edward": {"Ed", "Eddie", "Ted"},
	"Steven": {"Steve"}, "Timothy": {"Tim"}, "Susan": {"Sue", "Susie"}, "Deborah": {"Debbie", "Deb"},
	"Victoria": {"Vicky", "Tori"}, "Jessica": {"Jess"}, "Joshua": {"Josh"}, "David": {"Dave"}, "John": {"Jack", "Johnny"},
	"Barbara": {"Barb"}, "Kevin": {"Kev"}, "Alejandro": {"Alex"}, "Francisco": {"Paco"}, "José": {"Pepe"},
	"Giuseppe": {"Beppe"}, "Maximilian": {"Max"}, "Johannes": {"Hannes"}, "Katharina": {"Kathi"}, "Franziska": {"Franzi"},
	"Dmitri": {"Dima"}, "Alexei": {"Alyosha"}, "Aleksander": {"Olek"}, "Gabriela": {"Gabi"}, "Fernanda": {"Nanda"},
	"Chukwuemeka": {"Emeka"}, "Oluwaseun": {"Seun"}, "Funmilayo": {"Funmi"}, "Aishwarya": {"Aish"}, "Nicolas": {"Nico"},
}

// company name parts: brands are prefix+root compounds or surnames; the
// sector word decides the industry.
var (
	brandPrefixes = list(`North, South, East, West, Blue, Red, Green, Silver, Gold, Iron, Stone, Bright, Clear, Deep,
		High, Star, Sun, Moon, Pine, Oak, Maple, Cedar, River, Lake, Swift, True, Prime, Nova, Bay, Fair, Black,
		White, Cloud, Frost, Storm, Wild, Ever, Harbor, Copper, Granite`)
	brandRoots = list(`wind, field, stone, bridge, gate, point, wave, light, line, path, ridge, brook, wood, dale,
		view, peak, star, leaf, forge, works, haven, crest, side, mark, way, well, vale, shore, fin, hill, spring,
		water, core, bit, port, sight, ford, mont, land, rock`)
	regionWords = list(`Global, International, Pacific, Atlantic, Nordic, Continental, Digital, United`)
)

// sector is a company-name sector word and the industry it implies.
type sector struct{ word, industry string }

var sectors = []sector{
	{"Analytics", "Technology"}, {"Software", "Technology"}, {"Systems", "Technology"}, {"Labs", "Technology"},
	{"Data", "Technology"}, {"Cloud", "Technology"}, {"Networks", "Technology"}, {"Technologies", "Technology"},
	{"Digital", "Technology"}, {"Security", "Technology"}, {"AI", "Technology"},
	{"Logistics", "Transportation"}, {"Freight", "Transportation"}, {"Transport", "Transportation"},
	{"Shipping", "Shipping"}, {"Maritime", "Shipping"},
	{"Health", "Healthcare"}, {"Medical", "Healthcare"}, {"Care", "Healthcare"}, {"Clinics", "Healthcare"},
	{"Capital", "Finance"}, {"Financial", "Finance"}, {"Payments", "Finance"}, {"Bank", "Banking"},
	{"Manufacturing", "Manufacturing"}, {"Industries", "Manufacturing"}, {"Fabrication", "Manufacturing"},
	{"Foods", "Food & Beverage"}, {"Brewing", "Food & Beverage"}, {"Coffee", "Food & Beverage"},
	{"Energy", "Energy"}, {"Power", "Energy"}, {"Solar", "Energy"},
	{"Consulting", "Consulting"}, {"Advisors", "Consulting"}, {"Partners", "Consulting"}, {"Group", "Consulting"},
	{"Retail", "Retail"}, {"Outfitters", "Retail"}, {"Goods", "Retail"}, {"Apparel", "Apparel"},
	{"Construction", "Construction"}, {"Builders", "Construction"}, {"Engineering", "Engineering"},
	{"Media", "Media"}, {"Studios", "Entertainment"}, {"Learning", "Education"}, {"Academy", "Education"},
	{"Biosciences", "Biotechnology"}, {"Therapeutics", "Biotechnology"}, {"Telecom", "Telecommunications"},
	{"Communications", "Communications"}, {"Insurance", "Insurance"}, {"Assurance", "Insurance"},
	{"Hotels", "Hospitality"}, {"Farms", "Agriculture"}, {"Chemicals", "Chemicals"}, {"Electronics", "Electronics"},
	{"Robotics", "Machinery"}, {"Machinery", "Machinery"}, {"Environmental", "Environmental"}, {"Utilities", "Utilities"},
}

var titles = list(`CEO, CTO, CFO, COO, Chief Revenue Officer, VP Sales, VP Marketing, VP Engineering, VP Operations,
	Head of Operations, Head of IT, Director of IT, IT Manager, Procurement Manager, Purchasing Director,
	Operations Manager, Software Engineer, Senior Software Engineer, Data Analyst, Marketing Manager,
	Account Manager, Office Manager, HR Director, Product Manager, Finance Manager, Controller, Sales Manager,
	Customer Success Manager, Project Manager, Business Analyst, Founder, Managing Director, General Counsel,
	Systems Administrator, Head of Data, Supply Chain Manager, Facilities Manager, Research Scientist`)

var (
	userTitles  = list(`Account Executive, Senior Account Executive, Sales Development Representative, Sales Manager, Support Engineer, Customer Success Manager`)
	leadSources = list(`Web, Phone Inquiry, Partner Referral, Advertisement, Trade Show, Employee Referral, Cold Call,
		Webinar, Purchased List, Chat, External Referral, Other`)
	leadSourceWeights = []int{26, 10, 10, 8, 8, 6, 10, 7, 4, 5, 4, 2}
	dealKinds         = list(`Platform Subscription, Annual Renewal, Seat Expansion, Pilot, Professional Services,
		Enterprise License, Support Upgrade, Data Add-on, Migration Project, Training Package, Multi-year Agreement,
		Integration Bundle`)
	ticketSubjects = list(`Cannot log in, Password reset not arriving, Invoice shows wrong amount, Export to CSV fails,
		Sync error with calendar, Request to add seats, Dashboard loads slowly, API returns 500,
		Webhook not firing, Report totals do not match, Need help with SSO setup, Refund request,
		Mobile app crashes on start, Data import stuck, Feature request: bulk edit, Billing address change,
		Cancel subscription, Duplicate records after import, Email notifications missing, Permissions question`)
	ticketBodies = list(`The customer reports the problem started after the last update and affects several users.,
		Happens every time since this morning; screenshots attached in the thread.,
		Only some users are affected; clearing the cache did not help.,
		Customer asks for an update by end of week.,
		Reported through the support widget; customer is on the annual plan.,
		Second report of this issue from the same account this month.`)
	taskSubjects = map[string][]string{
		"Call":    list(`Intro call, Discovery call, Follow-up call, Pricing call, Renewal call, Check-in call`),
		"Email":   list(`Send proposal, Send pricing, Follow-up email, Send case study, Send contract, Reply to questions`),
		"Meeting": list(`Product demo, Discovery meeting, Quarterly business review, Onsite workshop, Negotiation meeting, Kickoff meeting`),
	}
)

// bars is list for entries that contain commas: it splits on "|".
func bars(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
