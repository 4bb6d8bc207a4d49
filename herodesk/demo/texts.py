"""The words of the demo desk: names, products, places and per-reason story templates."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (  # noqa: SIM905 - a word list reads best as one string
    "Ada Alan Amara Anna Aisha Ben Bruno Carla Chen Chloe Dara David Diego Elena Emil Emma Fatima Felix "
    "Gus Hana Hugo Ines Ivan Jakob Jana Jonas Kai Karin Lars Lea Leo Lina Luca Maja Marco Maria Mateo "
    "Mila Nadia Noah Nora Olga Omar Oscar Paula Pedro Priya Rafael Rosa Sami Sara Sofia Tariq Theo Tom "
    "Uma Vera Viktor Wen Yara Yusuf Zoe Amir Beatriz Callum Dmitri Esther Farid Greta Henrik Irene Joao"
).split()
LAST_NAMES = (  # noqa: SIM905 - a word list reads best as one string
    "Abbott Adeyemi Alvarez Andersen Bauer Becker Bianchi Brennan Carvalho Castro Chowdhury Costa "
    "Dubois Eriksen Fischer Fontaine Garcia Gomez Grant Haddad Hansen Hoffmann Ibrahim Ivanova Jansen "
    "Jensen Kaur Keller Kowalski Kruger Lambert Larsen Lindqvist Lopez Marino Martin Meyer Moreau "
    "Muller Nakamura Nguyen Novak Okafor Oliveira Olsen Park Petrov Pereira Quinn Rahman Reyes Ricci "
    "Rossi Santos Schmidt Schneider Silva Sorensen Suzuki Tanaka Torres Vargas Vogel Wagner Weber "
    "Yilmaz Zhang"
).split()
PRODUCTS = (
    "Fibre 500 plan", "Mobile Unlimited", "Home Router X2", "Smart Kettle", "Trail Backpack 40L",
    "Noise-cancelling headphones", "Espresso machine Duo", "Standing desk Pro", "Family travel insurance",
    "Weekend city break", "Annual gym membership", "Photo book A4", "Electric scooter S3", "Garden hose set",
    "Winter jacket", "Running shoes Aero", "Baby stroller Nova", "Premium streaming plan", "Cloud backup 2TB",
    "Laptop sleeve", "Office chair Ergo", "Robot vacuum R9", "Car rental compact", "Hotel room deluxe",
)
CITIES = (
    "Lisbon", "Berlin", "Madrid", "Dublin", "Vienna", "Prague", "Oslo", "Milan", "Lyon", "Porto",
    "Krakow", "Athens", "Geneva", "Rotterdam", "Seville", "Helsinki", "Zagreb", "Budapest", "Antwerp",
    "Valencia", "Hamburg", "Munich", "Copenhagen", "Stockholm", "Edinburgh", "Manchester", "Toronto",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
ORG_SUFFIXES = ("GmbH", "Ltd", "& Co", "Group", "BV")
DOMAINS = ("example.com", "mail.example.org", "example.net", "inbox.example.com")


@dataclass(frozen=True)
class ReasonText:
    """One contact reason with the words customers and agents use about it."""

    name: str
    team: str
    tags: tuple[str, ...]
    urgency: int  # 0 normal, 1 high, 2 urgent (time-critical for the customer)
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    details: tuple[str, ...]
    replies: tuple[str, ...]
    notes: tuple[str, ...]


REASONS: tuple[ReasonText, ...] = (
    ReasonText(
        "billing: first bill higher than advertised", "Billing", ("billing", "first-bill"), 0,
        ("First bill is much higher than advertised", "Why is my first invoice {amount}?",
         "Invoice does not match the price on your website"),
        ("My first bill for the {product} came to {amount}, but the advert said a lot less per month.",
         "I signed up for the {product} at the advertised price and the first invoice is {amount}. "
         "Nobody told me about extra charges."),
        ("The invoice lists an activation fee and a partial month I never agreed to.",
         "I compared the invoice with the offer page again and the numbers simply do not add up."),
        ("The first invoice includes a one-off activation fee and a part month, so it is higher than "
         "the monthly price. I have credited the activation fee of {amount}.",
         "I checked your account: the advertised price applies from the second bill on. I will send "
         "you a breakdown by {weekday} at 4pm."),
        ("Classic first-bill shock: activation fee plus pro-rata month. Credited the fee.",),
    ),
    ReasonText(
        "billing: double charge", "Billing", ("billing", "payment"), 1,
        ("Charged twice for order {order}", "Double charge on my card", "You took the money twice"),
        ("I was charged {amount} twice for order {order} on {when}. Please refund one of the payments.",
         "My bank statement shows two payments of {amount} to you for the same order {order}."),
        ("The duplicate payment is still on my account and I need that money this week.",
         "My card ending {card} now shows the double payment as settled, not pending."),
        ("I can see both captures of {amount}. I have refunded the second one; your bank usually shows "
         "it within 3 business days.",
         "I'm sorry about this. I will call you back by {weekday} at 11am once the refund is approved."),
        ("Payment log shows two captures of {amount} on {when}; gateway retry bug.",),
    ),
    ReasonText(
        "billing: refund request", "Billing", ("refund",), 0,
        ("Refund for order {order}", "Where is my refund?", "Request a refund for the {product}"),
        ("I returned the {product} two weeks ago and I still have not received my refund of {amount}.",
         "Please refund order {order}; I cancelled within the 14 days."),
        ("The return was signed for at your warehouse in {city} on {when}.",
         "I have the tracking receipt for the return if you need it."),
        ("Your refund of {amount} was issued today to the card ending {card}.",
         "The warehouse has confirmed the return, so I have released the refund of {amount}."),
        ("Return scanned in {city}; refund was stuck in manual approval.",),
    ),
    ReasonText(
        "delivery: lost parcel", "Support", ("delivery", "lost-parcel"), 1,
        ("Parcel {order} never arrived", "Tracking says delivered but nothing came",
         "Lost parcel to {city}"),
        ("Tracking for order {order} says delivered on {when}, but there was no parcel at my door in {city}.",
         "My parcel with the {product} is lost. The courier site has shown no update for a week."),
        ("I asked all my neighbours and checked the safe place, nothing.",
         "It was a birthday present, so I need it by the weekend."),
        ("I have opened an investigation with the courier and sent a replacement {product} by express.",
         "The courier confirmed the parcel is lost. A replacement is on its way and arrives by {weekday}."),
        ("Courier claim opened for {order}; replacement shipped express.",),
    ),
    ReasonText(
        "delivery: late delivery", "Support", ("delivery",), 0,
        ("Order {order} is late", "Still waiting for my {product}", "Delivery date missed"),
        ("My order {order} was supposed to arrive on {when} and it still is not here.",
         "The {product} I ordered has been stuck in {city} for five days."),
        ("The delivery date has moved three times now.",
         "I took a day off work to wait for this delivery."),
        ("Your parcel is in the {city} depot and is out for delivery tomorrow before noon.",
         "Sorry for the wait. I will check the depot again and email you by {weekday} at 3pm."),
        ("Depot in {city} backlog; no action needed beyond monitoring.",),
    ),
    ReasonText(
        "returns: return or exchange", "Returns", ("returns",), 0,
        ("Exchange the {product} for another size", "How do I return order {order}?", "Return label"),
        ("I would like to return the {product} from order {order}. It does not fit.",
         "Can I exchange the {product} for a different colour?"),
        ("The return form on the website gives me an error.",
         "I no longer have the original box, is that a problem?"),
        ("Here is your prepaid return label for order {order}. Drop it at any post office.",
         "Exchange booked: the new {product} ships as soon as the courier scans your return."),
        ("Return label sent; exchange reserved.",),
    ),
    ReasonText(
        "account: locked out", "Support", ("account", "login"), 1,
        ("Locked out of my account", "Account blocked after login attempts", "Cannot log in at all"),
        ("My account is locked after too many login attempts and I need my invoices today.",
         "I cannot log in since the app update; it says my account is blocked."),
        ("I tried the unlock link but it has expired.",
         "I am travelling in {city} and the verification code goes to my old phone."),
        ("I have unlocked your account and sent a fresh sign-in link to your email.",
         "Your account is unlocked. For safety please set a new password when you sign in."),
        ("Identity verified with last payment {amount}; lock cleared.",),
    ),
    ReasonText(
        "account: password reset", "Support", ("account",), 0,
        ("Password reset email never arrives", "Reset my password", "Password reset link expired"),
        ("I asked for a password reset three times and no email arrives.",
         "The password reset link says it expired immediately."),
        ("I checked spam and the promotions folder too.",
         "I am using the same email address as always."),
        ("The reset emails were bouncing; I fixed your address and sent a new link.",
         "Please try the new reset link I just sent; it is valid for 24 hours."),
        ("Reset emails bounced, typo in address corrected.",),
    ),
    ReasonText(
        "travel: urgent booking problem", "Support", ("travel", "urgent"), 2,
        ("URGENT: flight in 40 minutes and no boarding pass", "Booking not found at the airport",
         "Urgent: hotel in {city} has no reservation"),
        ("My flight to {city} leaves in 40 minutes and the app says my booking {order} does not exist!",
         "I am at the hotel desk in {city} at midnight and they have no reservation under my name."),
        ("The gate closes in 20 minutes, please help NOW.",
         "I have two small children with me and nowhere to go."),
        ("I have reissued your boarding pass for booking {order}; it is in your email now. "
         "Show it at the gate.",
         "I called the hotel in {city}: your room is confirmed and they are expecting you."),
        ("Reissued ticket for {order}; airline had a schedule change that dropped the booking.",),
    ),
    ReasonText(
        "travel: lost passport or documents", "Support", ("travel", "urgent"), 2,
        ("Lost passport before my trip", "Lost passport in {city}", "Need documents reissued urgently"),
        ("I lost my passport in {city} and my flight home is tomorrow. What happens to booking {order}?",
         "My wallet and passport were stolen in {city}. Can you move my return trip?"),
        ("The embassy can only see me on {weekday}.",
         "I am panicking, I have no idea what to do."),
        ("I'm so sorry. I have moved your return to {weekday} free of charge and emailed the embassy "
         "address in {city}.",
         "Your booking {order} is on hold, so you lose nothing. I will call you back by {weekday} at 10am."),
        ("Customer stranded in {city}; waived change fee as goodwill.",),
    ),
    ReasonText(
        "technical: bug report", "Technical", ("bug",), 0,
        ("The app crashes when I open invoices", "Bug: export to PDF is empty", "Error 500 on checkout"),
        ("Every time I open my invoices in the app it crashes. I'm on the latest version.",
         "The export to PDF produces an empty file since last week."),
        ("I attached a screenshot of the error message.",
         "It also happens on my laptop, not just on my phone."),
        ("Thanks for the details. Our engineers reproduced it and a fix ships on {weekday}.",
         "This is a known bug in version 4.2; the update that fixes it is live now."),
        ("Reproduced on staging; linked to the engineering ticket.",),
    ),
    ReasonText(
        "technical: outage", "Technical", ("outage", "urgent"), 1,
        ("Internet down since this morning", "Service outage in {city}", "Nothing works, total outage"),
        ("My internet has been down since this morning in {city} and I work from home.",
         "The whole service is down for us, our shop cannot take payments."),
        ("The router lights are all red.",
         "We are losing sales every hour this is down."),
        ("There is an outage in {city}; engineers are on site and expect service back by 6pm.",
         "Service is restored. I have added a credit of {amount} for the downtime."),
        ("Regional outage {city}; credited affected customers.",),
    ),
)

OPENERS = {
    "calm": ("Hi,", "Hello,", "Good morning,", "Hi there,"),
    "concerned": ("Hello,", "Hi, I'm a bit worried.", "Hi, I need some help please."),
    "annoyed": ("Hello.", "I'm writing again.", "Hi,"),
    "furious": ("This is unacceptable.", "I am absolutely furious.", "Seriously?!"),
}
FOLLOW_UPS = {
    "calm": ("Any news on this?", "Just checking in on my request.", "Thanks for looking into it."),
    "concerned": ("I still have not heard back, could you check?", "Is there an update please?"),
    "annoyed": (
        "This is the second time I'm writing about this.",
        "I wrote to you days ago and nobody answered.",
        "Why do I have to explain everything again? I already gave you order {order}.",
    ),
    "furious": (
        "This is the third time I'm writing and NOTHING has happened.",
        "If this is not fixed today I will cancel my account.",
        "I have already spoken to my lawyer about this.",
        "I'm going to leave a public review about how I have been treated.",
        "Third time I'm writing. Does anyone actually read these?",
    ),
}
CLOSERS = {
    "calm": ("Thanks in advance,\n{first}", "Kind regards,\n{first} {last}", "Thank you!\n{first}"),
    "concerned": ("Thanks,\n{first}", "Please let me know soon.\n{first}"),
    "annoyed": ("{first} {last}", "Waiting for an answer.\n{first}"),
    "furious": ("{first} {last}", "Fix it.", "I expect a call today."),
}
THANKS = ("Thank you, that solved it!", "Great, thanks for the quick help.", "Received it, thanks.")
EMPATHY = (
    "Hi {first}, thank you for your patience.",
    "Hi {first}, I'm really sorry about this, I understand how frustrating it is.",
    "Hello {first}, thanks for getting in touch.",
)
VAGUE = ("Someone will get back to you soon.", "We are looking into it.", "We'll be in touch.")
SIGN_OFFS = ("Best,\n{agent}", "Kind regards,\n{agent}", "All the best,\n{agent}")
HAND_OFFS = (
    "{first} {last} needs this by {weekday}; already gave order {order} and card ending {card}, "
    "please don't ask again.",
    "Passing to you because it needs {team} access. Customer mood: {mood}. I promised an answer today.",
    "Checked everything on our side for {order}. {team} has to approve the next step.",
)
PHONE_NOTES = (
    "Customer called about {order}. Explained the situation, customer wants a call back.",
    "Call: {first} repeated the whole story, sounded {mood}. Confirmed details for {order}.",
)
MOODS = ("calm", "concerned", "annoyed", "furious")
TAGS = ("billing", "payment", "refund", "delivery", "lost-parcel", "returns", "account", "login", "travel",
        "urgent", "bug", "outage", "first-bill", "vip", "repeat-contact")
