package identity

import "strings"

// nicknameGroups lists common English given names, each followed by the
// short and familiar forms people use for it (written for revops from
// common knowledge). A form listed under two names belongs to the first.
// Matching compares the group a first name belongs to, so Bob meets
// Robert and Bobby, but Bob does not meet Bill.
var nicknameGroups = []string{
	"abigail abby abbie gail",
	"abraham abe bram",
	"albert al bert bertie",
	"alexander alex alec alek sandy xander lex",
	"alexandra alexa lexi sandra",
	"alfred alf alfie fred freddie freddy",
	"andrew andy drew",
	"angela angie",
	"anthony tony ant antony",
	"arthur art artie",
	"barbara barb barbie babs",
	"benjamin ben benny benji",
	"bernard bernie barney",
	"catherine cathy cath kate katie kathy katherine kathryn kat cate caitlin",
	"charles charlie chuck chas chaz carl",
	"christine chris chrissy christina tina kristin kristine",
	"christopher kit topher",
	"cynthia cindy",
	"daniel dan danny",
	"david dave davy davey",
	"deborah debbie deb debra",
	"dennis denny",
	"dominic dom",
	"donald don donnie donny",
	"dorothy dot dottie dolly",
	"douglas doug",
	"edward ed eddie eddy ted teddy ned",
	"eleanor ellie nora elle ella nell",
	"elizabeth liz lizzie beth betty bess bessie eliza lisa libby elisabeth betsy",
	"emily em emmy",
	"eugene gene",
	"frances fran fanny",
	"francis frank frankie",
	"frederick fredrick rick",
	"gabriel gabe",
	"gerald gerry jerry",
	"gregory greg",
	"harold hal harry",
	"henry hank hal",
	"isabel isabella izzy bella",
	"jacob jake",
	"james jim jimmy jamie jimmie",
	"janet jan",
	"jeffrey jeff geoffrey geoff",
	"jennifer jen jenny jenn",
	"jessica jess jessie",
	"john jack johnny jon",
	"jonathan jonny",
	"joseph joe joey jo",
	"joshua josh",
	"judith judy jude",
	"katharine",
	"kenneth ken kenny",
	"lawrence larry laurence",
	"leonard leo len lenny",
	"louis lou louie lewis",
	"margaret maggie meg peggy marge margie madge greta daisy maisie",
	"martin marty",
	"mary molly polly mae mamie",
	"matthew matt matty",
	"michael mike mikey mick mickey mitch",
	"nathan nate nat",
	"nathaniel",
	"nicholas nick nicky nico",
	"oliver ollie",
	"olivia liv",
	"patricia pat patty trish tricia patsy",
	"patrick paddy",
	"peter pete",
	"philip phil pip phillip",
	"rebecca becky becca",
	"richard rich rick ricky dick rich richie",
	"robert bob bobby rob robbie bert",
	"ronald ron ronnie",
	"samantha sam sammy",
	"samuel",
	"sarah sara sally sadie",
	"stephen steve stevie steven",
	"susan sue suzy susie suzanne",
	"terence terry",
	"theodore theo",
	"thomas tom tommy",
	"timothy tim timmy",
	"victoria vicky vicki tori",
	"vincent vince vinny",
	"walter walt wally",
	"william will bill billy willy willie liam",
	"zachary zach zack",
}

// nickCanon maps every name of nicknameGroups to its group's first name.
var nickCanon = func() map[string]string {
	m := map[string]string{}
	for _, g := range nicknameGroups {
		names := strings.Fields(g)
		for _, n := range names {
			if _, ok := m[n]; !ok {
				m[n] = names[0]
			}
		}
	}
	return m
}()

// CanonicalFirstName returns the name a first name is short for
// ("bobby" → "robert"), or the name itself.
func CanonicalFirstName(first string) string {
	if c, ok := nickCanon[first]; ok {
		return c
	}
	return first
}

// DefaultGenericMailboxes are the local parts of role addresses that
// many people read. An address with one of them never links two people
// on its own (it still says which company they are at).
var DefaultGenericMailboxes = strings.Fields(`info sales support admin administrator contact contacts hello office
	team billing accounts accounting finance hr jobs careers recruiting marketing enquiries enquiry inquiries
	inquiry help helpdesk service customerservice noreply no-reply donotreply webmaster postmaster mail
	reception frontdesk orders bookings press media legal compliance it security abuse general mailbox`)

// DefaultFreeMailDomains are providers of personal addresses: their
// domain says nothing about someone's company.
var DefaultFreeMailDomains = strings.Fields(`gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de
	ymail.com rocketmail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.de outlook.com outlook.de live.com
	live.co.uk msn.com aol.com icloud.com me.com mac.com protonmail.com proton.me pm.me gmx.com gmx.de gmx.net
	web.de t-online.de freenet.de mail.com mail.ru yandex.ru yandex.com zoho.com zohomail.com qq.com 163.com
	126.com sina.com naver.com hanmail.net orange.fr wanadoo.fr free.fr laposte.net sfr.fr libero.it
	virgilio.it tiscali.it btinternet.com sky.com virginmedia.com comcast.net verizon.net att.net
	sbcglobal.net bellsouth.net cox.net charter.net shaw.ca rogers.com sympatico.ca bigpond.com
	optusnet.com.au uol.com.br bol.com.br terra.com.br rediffmail.com fastmail.com hey.com tutanota.com`)
