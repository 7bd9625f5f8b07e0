// One audience question in the console's lists: number, category, who
// asked (observer badge), flags, votes, the text as it will be read.
import QtQuick
import Yishiting 1.0

Rectangle {
    id: card
    property var question: ({})
    property bool selected: false
    signal clicked()

    readonly property var flags: question.flags || []
    readonly property string categoryText: question.category === "suggestion" ? qsTr("建议")
                                         : question.category === "complaint" ? qsTr("投诉")
                                         : qsTr("提问")

    width: ListView.view ? ListView.view.width : 300
    height: content.implicitHeight + 14
    radius: 4
    color: selected ? "#24406b" : Style.raised
    border.color: selected ? Style.accent : Style.line

    Column {
        id: content
        x: 8
        y: 7
        width: card.width - 16
        spacing: 3
        Row {
            spacing: 6
            Text {
                text: "#" + card.question.id + " · " + card.categoryText
                textFormat: Text.PlainText
                color: Style.muted
                font.family: Style.family
                font.pixelSize: Style.small
            }
            Text {
                text: card.question.nickname || qsTr("网友")
                textFormat: Text.PlainText
                color: Style.text
                font.family: Style.family
                font.pixelSize: Style.small
            }
            Text {
                visible: !!card.question.observer
                text: qsTr("市民观察员 · %1").arg(card.question.observer || "")
                textFormat: Text.PlainText
                color: Style.gold
                font.family: Style.family
                font.pixelSize: Style.small
            }
            Text {
                visible: card.flags.indexOf("sensitive") >= 0
                text: qsTr("敏感词")
                textFormat: Text.PlainText
                color: Style.program
                font.family: Style.family
                font.pixelSize: Style.small
                font.bold: true
            }
            Text {
                visible: card.flags.indexOf("duplicate") >= 0
                text: qsTr("重复 #%1").arg(card.question.duplicate_of || "")
                textFormat: Text.PlainText
                color: Style.warning
                font.family: Style.family
                font.pixelSize: Style.small
            }
            Text {
                visible: (card.question.votes || 0) > 0
                text: "▲ " + card.question.votes
                textFormat: Text.PlainText
                color: Style.accent
                font.family: Style.family
                font.pixelSize: Style.small
            }
        }
        Text {
            width: parent.width
            text: card.question.text || ""
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            maximumLineCount: 4
            elide: Text.ElideRight
            color: Style.text
            font.family: Style.family
            font.pixelSize: Style.normal
        }
    }
    MouseArea {
        anchors.fill: parent
        onClicked: card.clicked()
    }
}
